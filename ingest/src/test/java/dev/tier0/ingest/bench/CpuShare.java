package dev.tier0.ingest.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * CPU time per record, in milliseconds, of this JVM (the runtime under test, the in-process broker and the
 * harness) and of the Milvus Lite server process over one timed stretch of an ingest benchmark. Where the engine
 * saturates the machine's cores, the end-to-end ratio is bounded by the share the rest takes; these say which part
 * takes it. Read from the JVM's process CPU clock and {@link ProcessHandle.Info#totalCpuDuration()} (Linux: the
 * process's user + system time, all its threads).
 */
public record CpuShare(double jvmMsPerRecord, double liteMsPerRecord) {

  /** CPU clocks read at the start of a stretch. */
  public record Mark(long litePid, long jvmNanos, long liteNanos) {
    /** The CPU time since this mark, per record over {@code records} records. */
    public CpuShare since(int records) {
      return new CpuShare((jvmCpuNanos() - jvmNanos) / 1e6 / records,
          (processCpuNanos(litePid) - liteNanos) / 1e6 / records);
    }
  }

  /**
   * Marks the start of a stretch.
   *
   * @param litePid the Milvus Lite server's process id ({@code MilvusLite.pid()})
   * @throws IllegalStateException when that process's CPU time cannot be read (it is not running)
   */
  public static Mark mark(long litePid) {
    return new Mark(litePid, jvmCpuNanos(), processCpuNanos(litePid));
  }

  private static long jvmCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static long processCpuNanos(long pid) {
    return ProcessHandle.of(pid).flatMap(p -> p.info().totalCpuDuration()).map(Duration::toNanos)
        .orElseThrow(() -> new IllegalStateException("no CPU time for process " + pid));
  }
}
