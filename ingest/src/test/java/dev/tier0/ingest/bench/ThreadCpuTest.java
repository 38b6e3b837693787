package dev.tier0.ingest.bench;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ingest benchmarks' split of the JVM's CPU by thread: a thread's work lands in its group, idle ones do not. */
class ThreadCpuTest {
  private static final long RUN_NANOS = 400_000_000L;

  @Test
  void busyThreadsOfOneKindAreOneGroupAndSleepingOnesAreLeftOut() throws Exception {
    assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "reads /proc (Linux)");
    List<Thread> threads = List.of(new Thread(ThreadCpuTest::spin, "tier0-spin-1"),
        new Thread(ThreadCpuTest::spin, "tier0-spin-2"), new Thread(ThreadCpuTest::sleep, "tier0-sleeper"));
    Map<Long, ThreadCpu.Ticks> start = ThreadCpu.now();
    threads.forEach(Thread::start);
    Thread.sleep(200); // read while they run: a thread that has ended is gone from /proc
    Map<Long, ThreadCpu.Ticks> end = ThreadCpu.now();
    for (Thread t : threads) {
      t.join();
    }

    Map<String, Double> ms = ThreadCpu.msPerRecord(start, end, 1);
    // the kernel counts in 10 ms ticks; two spinners for 200 ms take far more than two ticks even on a loaded machine
    assertTrue(ms.getOrDefault("tier#-spin-#", 0.0) >= 20, "two numbered spinners, one group: " + ms);
    assertFalse(ms.containsKey("tier#-sleeper"), "a sleeping thread takes no CPU: " + ms);
    List<Double> values = new ArrayList<>(ms.values());
    for (int i = 1; i < values.size(); i++) {
      assertTrue(values.get(i - 1) >= values.get(i), "largest first: " + ms);
    }
  }

  private static void spin() {
    long end = System.nanoTime() + RUN_NANOS;
    long x = 0;
    while (System.nanoTime() < end) {
      x += System.nanoTime() & 7;
    }
    if (x == 42) {
      System.out.println(x); // keeps the loop from being optimised away
    }
  }

  private static void sleep() {
    try {
      Thread.sleep(RUN_NANOS / 1_000_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
