package dev.tier0.embed;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The engine's metrics of which graph served each batch: ORT runs and real rows (fill rows not counted) per graph
 * file, since the engine loaded. With static graphs this shows how the traffic spreads over the buckets.
 */
final class GraphRuns {
  private final Map<String, LongAdder> runs = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> rows = new ConcurrentHashMap<>();

  void record(String graph, int realRows) {
    runs.computeIfAbsent(graph, g -> new LongAdder()).increment();
    rows.computeIfAbsent(graph, g -> new LongAdder()).add(realRows);
  }

  /** ORT runs per graph file, sorted by file name. */
  Map<String, Long> runs() {
    return snapshot(runs);
  }

  /** Real rows (texts) embedded per graph file, sorted by file name. */
  Map<String, Long> rows() {
    return snapshot(rows);
  }

  private static Map<String, Long> snapshot(Map<String, LongAdder> counters) {
    Map<String, Long> out = new TreeMap<>();
    counters.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}
