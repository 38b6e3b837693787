package dev.tier0.embed.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Python rows of {@code bench/run engine} in its JSON and table: sentences/s of each peer, tier0's ratio over
 * each (throughput mode, the connector's default, and latency mode batch 32, the engine's default), the floors the
 * issue set (tier0 >= 1.05x Python on the same ORT version, >= 1.3x fastembed; the newest ORT reported, no floor),
 * the vectors' agreement with tier0, and the physical-limit row.
 */
final class Peers {
  private Peers() {}

  static void report(Map<String, Object> json, Map<String, Double> javaSps,
                     Map<String, EngineBenchmark.PythonRow> peers, Map<String, List<float[]>> vectors,
                     PhysicalLimit limit) {
    int sentences = (int) json.get("sentences");
    double throughput = javaSps.getOrDefault("tier0_throughput", Double.NaN);
    double latency = javaSps.getOrDefault("tier0_b32", Double.NaN);
    json.put("tier0_throughput_sps", EngineBenchmark.round(throughput));
    Map<String, Object> peerRatios = new LinkedHashMap<>();
    Map<String, Object> floors = new LinkedHashMap<>();
    Map<String, Object> details = new LinkedHashMap<>();
    for (Map.Entry<String, EngineBenchmark.PythonRow> e : peers.entrySet()) {
      String id = e.getKey();
      double sps = Stats.median(e.getValue().sps);
      json.put(id + "_sps", EngineBenchmark.round(sps));
      peerRatios.put("tier0_throughput_over_" + id, EngineBenchmark.round(throughput / sps));
      peerRatios.put("tier0_latency_b32_over_" + id, EngineBenchmark.round(latency / sps));
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("name", e.getValue().peer.name());
      d.put("sentences_per_s_repeats", e.getValue().sps.stream().map(EngineBenchmark::round).toList());
      d.put("versions", e.getValue().info);
      d.put("min_cosine_to_tier0_b32", EngineBenchmark.minCosine(vectors.get(id), vectors.get("tier0_b32")));
      details.put(id, d);
      if (id.equals("python_same_ort")) {
        floors.put("tier0_throughput_over_python_same_ort_min_1.05", throughput / sps >= 1.05);
      } else if (id.equals("fastembed")) {
        floors.put("tier0_throughput_over_fastembed_min_1.3", throughput / sps >= 1.3);
      }
    }
    json.put("peer_ratios", peerRatios);
    json.put("peer_floors", floors);
    json.put("peers", details);
    json.put("tier0_throughput_vs_b32_min_cosine",
        EngineBenchmark.minCosine(vectors.get("tier0_throughput"), vectors.get("tier0_b32")));
    Map<String, Object> physical = limit.describe(sentences);
    Map<String, Object> achieved = new LinkedHashMap<>();
    javaSps.forEach((id, sps) -> {
      if (id.startsWith("tier0_b") || id.startsWith("tier0_throughput") || id.equals("bare_ort_b32")) {
        achieved.put(id, EngineBenchmark.round(limit.gflops(sps, sentences)));
      }
    });
    peers.forEach((id, row) -> achieved.put(id, EngineBenchmark.round(limit.gflops(Stats.median(row.sps), sentences))));
    physical.put("achieved_gflops", achieved);
    physical.put("tier0_throughput_fraction_of_peak", EngineBenchmark.round(limit.gflops(throughput, sentences)
        / limit.peakGflops()));
    json.put("physical_limit", physical);
  }

  static void print(Map<String, Object> json, Map<String, EngineBenchmark.PythonRow> peers) {
    for (Map.Entry<String, EngineBenchmark.PythonRow> e : peers.entrySet()) {
      System.out.printf("%-34s %14.1f%n", e.getValue().peer.name(), Stats.median(e.getValue().sps));
    }
    System.out.println("tier0 throughput mode: " + json.get("tier0_throughput_sps") + " sentences/s; ratios over "
        + "peers: " + json.get("peer_ratios"));
    System.out.println("peer floors: " + json.get("peer_floors"));
    @SuppressWarnings("unchecked")
    Map<String, Object> physical = (Map<String, Object>) json.get("physical_limit");
    System.out.println("physical limit: " + physical.get("mflop_per_token") + " MFLOP/token, peak "
        + physical.get("peak_gflops") + " GFLOP/s (" + physical.get("cpu") + "), achieved GFLOP/s "
        + physical.get("achieved_gflops"));
  }
}
