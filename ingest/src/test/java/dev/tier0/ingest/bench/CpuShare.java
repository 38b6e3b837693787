package dev.tier0.ingest.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;

/**
 * CPU time per record, in milliseconds, of this JVM (the runtime under test, the in-process broker and the
 * harness) and of the Milvus Lite server process over one timed stretch of an ingest benchmark. Where the engine
 * saturates the machine's cores, the end-to-end ratio is bounded by the share the rest takes; these say which part
 * takes it. Read from the JVM's process CPU clock and {@link ProcessHandle.Info#totalCpuDuration()} (Linux: the
 * process's user + system time, all its threads). {@link #jvmThreadsMsPerRecord()} splits the JVM's time by thread
 * name ({@link ThreadCpu}: the model's run threads, the JIT's compilers, the broker...), largest first.
 */
public record CpuShare(double jvmMsPerRecord, double liteMsPerRecord, Map<String, Double> jvmThreadsMsPerRecord) {

  /** CPU clocks read at the start of a stretch. */
  public record Mark(long litePid, long jvmNanos, long liteNanos, Map<Long, ThreadCpu.Ticks> threads) {
    /** The CPU time since this mark, per record over {@code records} records. */
    public CpuShare since(int records) {
      return new CpuShare((jvmCpuNanos() - jvmNanos) / 1e6 / records,
          (processCpuNanos(litePid) - liteNanos) / 1e6 / records,
          ThreadCpu.msPerRecord(threads, ThreadCpu.now(), records));
    }
  }

  /** Both processes' CPU ms per record. */
  public double msPerRecord() {
    return jvmMsPerRecord + liteMsPerRecord;
  }

  /**
   * The cores the engine alone keeps busy: every core, unless latency mode (one run at a time) is held to fewer
   * intra-op threads ({@code model.threads}) than the machine has.
   *
   * @param engineMode latency | throughput
   * @param threads    model.threads (0: the engine's choice)
   */
  public static int coresTheEngineTakes(String engineMode, int threads) {
    int cpus = Runtime.getRuntime().availableProcessors();
    return engineMode.equals("latency") && threads > 0 ? Math.min(threads, cpus) : cpus;
  }

  /**
   * The ratio end to end would reach if no core were ever idle: the engine alone costs at most cores x its wall
   * time per record, end to end costs {@link #msPerRecord()}. Null where the engine alone leaves cores free (see
   * {@link #coresTheEngineTakes}): the rest then has cores of its own and the quotient bounds nothing.
   *
   * @param engineOnlyRps the engine alone's records per second, measured beside this stretch
   */
  public Double ratioIfNoCoreIdle(double engineOnlyRps, String engineMode, int threads) {
    int cores = coresTheEngineTakes(engineMode, threads);
    if (cores < Runtime.getRuntime().availableProcessors()) {
      return null;
    }
    return cores * 1000 / engineOnlyRps / msPerRecord();
  }

  /**
   * Marks the start of a stretch.
   *
   * @param litePid the Milvus Lite server's process id ({@code MilvusLite.pid()})
   * @throws IllegalStateException when that process's CPU time cannot be read (it is not running)
   */
  public static Mark mark(long litePid) {
    return new Mark(litePid, jvmCpuNanos(), processCpuNanos(litePid), ThreadCpu.now());
  }

  /**
   * Milliseconds this JVM's JIT compiler threads have spent compiling so far ({@code CompilationMXBean}): read before
   * and after a timed stretch, it tells how much of the stretch went on compiling the runtime's code paths.
   */
  public static long jitCompileMs() {
    return ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
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
