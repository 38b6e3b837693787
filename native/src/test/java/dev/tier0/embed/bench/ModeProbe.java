package dev.tier0.embed.bench;

import dev.tier0.embed.BundledModel;
import dev.tier0.embed.EngineMode;
import dev.tier0.embed.EngineOptions;
import dev.tier0.embed.ExecutionProvider;
import dev.tier0.embed.Sentences;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Temporary probe: latency vs throughput configurations, interleaved. */
public final class ModeProbe {
  public static void main(String[] a) throws Exception {
    List<String> s = Sentences.generate(2000, 5, 60, 42);
    Path m = BundledModel.directory();
    EngineOptions cpu = EngineOptions.builder().provider(ExecutionProvider.CPU).build();
    Map<String, Tier0Contender> c = new LinkedHashMap<>();
    for (String cfg : System.getProperty("cfg", "1x0,2x1,4x1").split(",")) {
      String[] rt = cfg.split("x");
      int runs = Integer.parseInt(rt[0]);
      EngineOptions o = cpu.toBuilder().intraOpThreads(Integer.parseInt(rt[1]))
          .mode(runs == 1 ? EngineMode.LATENCY : EngineMode.THROUGHPUT).concurrentRuns(runs).build();
      c.put(cfg, new Tier0Contender(cfg, m, o));
    }
    for (Tier0Contender t : c.values()) { t.embedAll(s.subList(0, 200)); }
    Map<String, List<Double>> sps = new LinkedHashMap<>();
    Map<String, List<Double>> lat = new LinkedHashMap<>();
    int reps = Integer.getInteger("r", 3);
    for (int r = 0; r < reps; r++) {
      for (var e : c.entrySet()) {
        long t0 = System.nanoTime();
        e.getValue().embedAll(s);
        double v = s.size() / ((System.nanoTime() - t0) / 1e9);
        sps.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(v);
        for (String q : s.subList(0, 100)) {
          long t = System.nanoTime();
          e.getValue().embedOne(q);
          lat.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add((System.nanoTime() - t) / 1e6);
        }
        System.out.printf("rep %d %-22s %.1f%n", r, e.getKey(), v);
      }
    }
    for (var e : sps.entrySet()) {
      double[] l = lat.get(e.getKey()).stream().mapToDouble(Double::doubleValue).toArray();
      System.out.printf("%-22s median %.1f sps  q p50 %.2f ms p99 %.2f%n", e.getKey(), Stats.median(e.getValue()),
          Stats.percentile(l, 50), Stats.percentile(l, 99));
    }
    System.exit(0);
  }
}
