package dev.tier0.ingest.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time of this JVM's threads, grouped by thread name, read from {@code /proc/self/task/<tid>/stat} (Linux; on
 * other systems every reading is empty). It tells which part of the JVM took the cores during an ingest benchmark's
 * timed stretch: the model's run threads, the JIT's compiler threads, a stream thread, the in-process broker, the
 * garbage collector. A name is the kernel's copy of the thread's name (its first 15 characters), digits replaced by
 * {@code #}, so numbered threads of one kind form one group. A thread that ended during the stretch is not counted.
 */
public final class ThreadCpu {
  /** The kernel's clock ticks per second for {@code utime} and {@code stime} (USER_HZ: 100 on Linux). */
  private static final double TICKS_PER_SECOND = 100;
  private static final Path TASKS = Path.of("/proc/self/task");

  private ThreadCpu() {}

  /** One thread's group and CPU ticks (user + system) so far. */
  public record Ticks(String group, long ticks) {}

  /** Every thread of this JVM now, by thread id; empty where /proc cannot be read. */
  static Map<Long, Ticks> now() {
    Map<Long, Ticks> threads = new HashMap<>();
    if (!Files.isDirectory(TASKS)) {
      return threads;
    }
    try (Stream<Path> tasks = Files.list(TASKS)) {
      tasks.forEach(task -> {
        try {
          String stat = Files.readString(task.resolve("stat"));
          // "tid (name) state ..." where the name may hold spaces and parentheses: it ends at the last ')'
          int open = stat.indexOf('(');
          int close = stat.lastIndexOf(')');
          String[] fields = stat.substring(close + 2).split(" ");
          long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14, 15)
          threads.put(Long.parseLong(task.getFileName().toString()),
              new Ticks(stat.substring(open + 1, close).replaceAll("[0-9]+", "#"), ticks));
        } catch (IOException | RuntimeException e) {
          // the thread ended while the directory was read: it is not counted
        }
      });
    } catch (IOException e) {
      return Map.of();
    }
    return threads;
  }

  /**
   * CPU milliseconds per record by thread group between two readings, largest first, groups under 0.01 ms a record
   * left out.
   */
  static Map<String, Double> msPerRecord(Map<Long, Ticks> before, Map<Long, Ticks> after, int records) {
    Map<String, Long> byGroup = new HashMap<>();
    after.forEach((tid, now) -> {
      Ticks then = before.get(tid);
      long used = now.ticks() - (then == null ? 0 : then.ticks()); // a thread started since: all of its time
      if (used > 0) {
        byGroup.merge(now.group(), used, Long::sum);
      }
    });
    Map<String, Double> out = new LinkedHashMap<>();
    byGroup.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
        .forEach(e -> {
          double ms = e.getValue() * 1000 / TICKS_PER_SECOND / records;
          if (ms >= 0.01) {
            out.put(e.getKey(), Math.round(ms * 100) / 100.0);
          }
        });
    return out;
  }
}
