package dev.tier0.connect;

import dev.tier0.embed.SharedModels;
import java.lang.management.ManagementFactory;
import javax.management.InstanceAlreadyExistsException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes {@link SharedModels}' counters as {@code dev.tier0.connect:type=ModelLoads,loader=<id>}. Connect
 * loads each plugin in its own class loader, so the counters are per plugin installation; the loader id keeps
 * two installations (or a restarted worker in one JVM) apart.
 */
public final class ModelLoads implements ModelLoadsMBean {
  private static final Logger LOG = LoggerFactory.getLogger(ModelLoads.class);
  public static final String DOMAIN_AND_TYPE = "dev.tier0.connect:type=ModelLoads";

  @Override
  public int getLoadCount() {
    return SharedModels.loadCount();
  }

  @Override
  public int getOpenCount() {
    return SharedModels.openCount();
  }

  /** Registers the bean once per class loader; later calls find it there. */
  static synchronized void register() {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    try {
      ObjectName name = new ObjectName(DOMAIN_AND_TYPE + ",loader="
          + Integer.toHexString(System.identityHashCode(ModelLoads.class.getClassLoader())));
      if (!server.isRegistered(name)) {
        server.registerMBean(new ModelLoads(), name);
      }
    } catch (InstanceAlreadyExistsException e) {
      // another task of this plugin registered it first
    } catch (JMException | SecurityException e) {
      LOG.warn("cannot publish the model-load counters over JMX", e);
    }
  }
}
