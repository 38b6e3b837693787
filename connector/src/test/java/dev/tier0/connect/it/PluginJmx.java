package dev.tier0.connect.it;

import java.lang.management.ManagementFactory;
import java.util.Set;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Reads the plugin's counters over JMX. They live in the plugin's class loader, out of reach of test code; JMX is
 * the honest window on them (and the one operators use).
 */
public final class PluginJmx {
  private PluginJmx() {}

  /** Models loaded so far by the tier0 plugin in this JVM; 0 before any task has started. */
  public static long modelLoads() {
    return attribute("ModelLoads", "LoadCount");
  }

  /** A counter of {@code dev.tier0.connect:type=SinkMetrics}; 0 before any task has started. */
  public static long sinkMetric(String name) {
    return attribute("SinkMetrics", name);
  }

  private static long attribute(String type, String attribute) {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    try {
      Set<ObjectName> names = server.queryNames(new ObjectName("dev.tier0.connect:type=" + type + ",*"), null);
      if (names.isEmpty()) {
        return 0;
      }
      if (names.size() > 1) {
        throw new IllegalStateException("more than one tier0 plugin class loader in this JVM: " + names);
      }
      return ((Number) server.getAttribute(names.iterator().next(), attribute)).longValue();
    } catch (JMException e) {
      throw new IllegalStateException("cannot read " + type + "." + attribute, e);
    }
  }
}
