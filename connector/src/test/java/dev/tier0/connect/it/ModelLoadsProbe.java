package dev.tier0.connect.it;

import java.lang.management.ManagementFactory;
import java.util.Set;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Reads the plugin's model-load counter over JMX. The counter lives in the plugin's class loader, out of reach
 * of test code; JMX is the honest window on it.
 */
public final class ModelLoadsProbe {
  private ModelLoadsProbe() {}

  /** Models loaded so far by the tier0 plugin in this JVM; 0 before any task has started. */
  public static int loadCount() {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    try {
      Set<ObjectName> names = server.queryNames(new ObjectName("dev.tier0.connect:type=ModelLoads,*"), null);
      if (names.isEmpty()) {
        return 0;
      }
      if (names.size() > 1) {
        throw new IllegalStateException("more than one tier0 plugin class loader in this JVM: " + names);
      }
      return (Integer) server.getAttribute(names.iterator().next(), "LoadCount");
    } catch (JMException e) {
      throw new IllegalStateException("cannot read the model-load counter", e);
    }
  }
}
