package dev.tier0.connect;

import dev.tier0.embed.SharedModels;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.InstanceAlreadyExistsException;
import javax.management.JMException;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counters shared by the tasks of this plugin, published as
 * {@code dev.tier0.connect:type=SinkMetrics,loader=<id>} (one per plugin class loader, like {@link ModelLoads}).
 */
public final class SinkMetrics implements SinkMetricsMBean {
  private static final Logger LOG = LoggerFactory.getLogger(SinkMetrics.class);
  static final SinkMetrics INSTANCE = new SinkMetrics();

  final AtomicLong stored = new AtomicLong();
  final AtomicLong deleted = new AtomicLong();
  final AtomicLong rejected = new AtomicLong();
  final AtomicLong transientFailures = new AtomicLong();
  final AtomicLong retriableExceptions = new AtomicLong();
  final AtomicLong backpressurePauses = new AtomicLong();

  private SinkMetrics() {}

  @Override
  public long getMemoriesStored() {
    return stored.get();
  }

  @Override
  public long getMemoriesDeleted() {
    return deleted.get();
  }

  @Override
  public long getRecordsRejected() {
    return rejected.get();
  }

  @Override
  public long getTransientStoreFailures() {
    return transientFailures.get();
  }

  @Override
  public long getRetriableExceptions() {
    return retriableExceptions.get();
  }

  @Override
  public long getBackpressurePauses() {
    return backpressurePauses.get();
  }

  @Override
  public Map<String, Long> getGraphRuns() {
    return SharedModels.graphRuns();
  }

  static synchronized void register() {
    try {
      ObjectName name = new ObjectName("dev.tier0.connect:type=SinkMetrics,loader="
          + Integer.toHexString(System.identityHashCode(SinkMetrics.class.getClassLoader())));
      if (!ManagementFactory.getPlatformMBeanServer().isRegistered(name)) {
        ManagementFactory.getPlatformMBeanServer().registerMBean(INSTANCE, name);
      }
    } catch (InstanceAlreadyExistsException e) {
      // registered by another task of this plugin
    } catch (JMException | SecurityException e) {
      LOG.warn("cannot publish the sink's counters over JMX", e);
    }
  }
}
