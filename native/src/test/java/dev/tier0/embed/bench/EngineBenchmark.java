package dev.tier0.embed.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tier0.embed.BundledModel;
import dev.tier0.embed.EngineMode;
import dev.tier0.embed.EngineOptions;
import dev.tier0.embed.ExecutionProvider;
import dev.tier0.embed.Sentences;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bench/run engine}: tier0's embedding throughput and latency against LangChain4j and bare ORT on the same
 * 2,000 generated sentences (MiniLM FP32), plus the INT8 export against its FP32 original, and the CoreML-target
 * export (static graphs b1/b8 x 32/64/128, token table outside) on the CPU provider against the dynamic last-4 export
 * it was made from, which prices static buckets and fill rows on CPU. Rows run interleaved, repeated; figures are
 * medians. Prints a table and writes target/bench/engine.json.
 */
public final class EngineBenchmark {
  private static final int SENTENCES = Integer.getInteger("bench.sentences", 2000);
  private static final int REPEATS = Integer.getInteger("bench.repeats", 3);
  private static final int LATENCY_QUERIES = Integer.getInteger("bench.latency.queries", 150);
  /** Comma-separated row ids to run (e.g. {@code tier0_b32,tier0_throughput,python_same_ort}); empty = all. */
  private static final String ONLY = System.getProperty("bench.only", "");
  /** false: leave out the Python rows (no python3 / no network for the first venv). */
  private static final boolean PYTHON = Boolean.parseBoolean(System.getProperty("bench.python", "true"));
  /** false: leave out the forked model-memory loads. */
  private static final boolean MEMORY = Boolean.parseBoolean(System.getProperty("bench.memory", "true"));

  private EngineBenchmark() {}

  /** One row's measurements across repeats. */
  private static final class Row {
    final Contender contender;
    final List<Double> sps = new ArrayList<>();
    final List<Double> latenciesMs = new ArrayList<>();
    double peakRssMib;

    Row(Contender contender) {
      this.contender = contender;
    }

    double medianSps() {
      return Stats.median(sps);
    }

    double latency(double p) {
      return Stats.percentile(latenciesMs.stream().mapToDouble(Double::doubleValue).toArray(), p);
    }
  }

  public static void main(String[] args) throws Exception {
    Path out = Path.of(System.getProperty("bench.out", "target/bench")).resolve("engine.json");
    Path testModels = Path.of(System.getProperty("bench.test.models", "native/target/test-models"));
    List<String> sentences = Sentences.generate(SENTENCES, 5, 60, 42);
    List<String> queries = sentences.subList(0, Math.min(LATENCY_QUERIES, sentences.size()));
    Path minilm = BundledModel.directory();
    Path int8Dir = requireDir(testModels.resolve("minilm-last4-int8"));
    Path fp32Dir = requireDir(testModels.resolve("minilm-last4-fp32"));
    Path coreMlDir = requireDir(testModels.resolve("minilm-coreml-fp32"));
    EngineOptions cpu = EngineOptions.builder().provider(ExecutionProvider.CPU).build(); // defaults otherwise

    Map<String, Row> rows = new LinkedHashMap<>();
    for (int batch : new int[] {1, 8, 32, 64}) {
      rows.put("tier0_b" + batch, new Row(new Tier0Contender("tier0 batch " + batch, minilm,
          cpu.toBuilder().batchMaxRecords(batch).build())));
    }
    int cores = Runtime.getRuntime().availableProcessors();
    // what the connector runs (throughput mode, the mode's batch), and the same with latency mode's batch of 32
    EngineOptions throughput = cpu.toBuilder().mode(EngineMode.THROUGHPUT).build();
    rows.put("tier0_throughput", new Row(new Tier0Contender("tier0 throughput b" + throughput.effectiveBatchMaxRecords()
        + " " + cores + " runs x " + throughput.effectiveIntraOpThreads(cores) + " thr", minilm, throughput)));
    rows.put("tier0_throughput_b32", new Row(new Tier0Contender("tier0 throughput b32", minilm,
        throughput.toBuilder().batchMaxRecords(32).build())));
    rows.put("langchain4j", new Row(new LangChain4jContender()));
    BareOrtContender bare = new BareOrtContender(minilm, 256, 32, "last_hidden_state");
    bare.prepare(sentences);
    rows.put("bare_ort_b32", new Row(bare));
    rows.put("tier0_int8", new Row(new Tier0Contender("tier0 INT8 last4 batch 32", int8Dir,
        cpu.toBuilder().batchMaxRecords(32).build())));
    rows.put("tier0_fp32_last4", new Row(new Tier0Contender("tier0 FP32 last4 batch 32", fp32Dir,
        cpu.toBuilder().batchMaxRecords(32).build())));
    rows.put("tier0_coreml_target_cpu", new Row(new Tier0Contender("tier0 CoreML-target last4 on CPU", coreMlDir,
        cpu.toBuilder().batchMaxRecords(32).build())));
    // each graph's session with its own pre-packed copy of the weights: prices what sharing costs on CPU
    rows.put("tier0_coreml_target_cpu_unshared", new Row(new Tier0Contender("tier0 CoreML-target, unshared weights",
        coreMlDir, cpu.toBuilder().batchMaxRecords(32).shareWeights(false).build())));

    rows.keySet().removeIf(id -> !selected(id));

    Map<String, PythonRow> peers = new LinkedHashMap<>();
    if (PYTHON) {
      Path root = Path.of(System.getProperty("tier0.home", "."));
      Path file = PythonPeer.writeSentences(sentences, out.getParent());
      int threads = Runtime.getRuntime().availableProcessors();
      peers.put("python_same_ort", new PythonRow(new PythonPeer("Python ORT 1.29 + tokenizers b32", root,
          "ort-same", "ort", minilm, file, sentences.size(), 32, threads)));
      peers.put("python_newest_ort", new PythonRow(new PythonPeer("Python ORT newest + tokenizers b32", root,
          "ort-newest", "ort", minilm, file, sentences.size(), 32, threads)));
      peers.put("fastembed", new PythonRow(new PythonPeer("fastembed 0.9.1 b32", root, "ort-newest", "fastembed",
          minilm, file, sentences.size(), 32, threads)));
      peers.keySet().removeIf(id -> !selected(id));
      for (PythonRow peer : peers.values()) {
        peer.peer.prepare();
      }
    }

    // warm-up: every row once on a slice, untimed (JIT, ORT arenas, LangChain4j's lazy init)
    for (Row row : rows.values()) {
      if (row.contender != bare) {
        row.contender.embedAll(sentences.subList(0, 200));
      }
      row.contender.embedOne(queries.get(0));
    }

    Map<String, List<float[]>> vectors = new LinkedHashMap<>();
    for (int repeat = 0; repeat < REPEATS; repeat++) {
      for (Map.Entry<String, Row> e : rows.entrySet()) {
        Row row = e.getValue();
        PeakRss.reset();
        long start = System.nanoTime();
        List<float[]> result = row.contender.embedAll(sentences);
        double seconds = (System.nanoTime() - start) / 1e9;
        for (String q : queries) {
          long t = System.nanoTime();
          row.contender.embedOne(q);
          row.latenciesMs.add((System.nanoTime() - t) / 1e6);
        }
        row.peakRssMib = Math.max(row.peakRssMib, PeakRss.mib());
        row.sps.add(sentences.size() / seconds);
        vectors.put(e.getKey(), result);
        System.out.printf("  repeat %d  %-32s %8.1f sentences/s%n", repeat + 1, row.contender.name(), sentences.size() / seconds);
      }
      for (Map.Entry<String, PythonRow> e : peers.entrySet()) {
        PythonPeer.Pass pass = e.getValue().peer.run();
        e.getValue().sps.add(pass.sps());
        e.getValue().info = pass.info();
        vectors.put(e.getKey(), pass.vectors());
        System.out.printf("  repeat %d  %-32s %8.1f sentences/s%n", repeat + 1, e.getValue().peer.name(), pass.sps());
      }
    }

    double int8MinCosine = minCosine(vectors.get("tier0_int8"), vectors.get("tier0_fp32_last4"));
    double parityMinCosine = minCosine(vectors.get("tier0_b32"), vectors.get("langchain4j"));
    double coreMlMinCosine = minCosine(vectors.get("tier0_coreml_target_cpu"), vectors.get("tier0_fp32_last4"));
    Map<String, Object> json = report(rows, int8MinCosine, parityMinCosine, coreMlMinCosine);
    Peers.report(json, rows.entrySet().stream().collect(java.util.stream.Collectors.toMap(Map.Entry::getKey,
        e -> e.getValue().medianSps())), peers, vectors, PhysicalLimit.of(minilm, sentences));
    if (MEMORY) {
      json.put("model_memory", modelMemory(testModels));
    }
    printTable(rows, json);
    Peers.print(json, peers);
    Files.createDirectories(out.getParent());
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), json);
    System.out.println("wrote " + out.toAbsolutePath());
    for (Row row : rows.values()) {
      row.contender.close();
    }
  }

  /** A row's median sentences/s, NaN when the row was left out ({@code -Dbench.only}). */
  private static double sps(Map<String, Row> rows, String id) {
    Row row = rows.get(id);
    return row == null ? Double.NaN : row.medianSps();
  }

  private static double latency(Map<String, Row> rows, String id, double p) {
    Row row = rows.get(id);
    return row == null ? Double.NaN : row.latency(p);
  }

  private static boolean selected(String id) {
    return ONLY.isBlank() || java.util.Arrays.asList(ONLY.split(",")).contains(id);
  }

  /** A Python contender's measurements across repeats. */
  static final class PythonRow {
    final PythonPeer peer;
    final List<Double> sps = new ArrayList<>();
    com.fasterxml.jackson.databind.JsonNode info;

    PythonRow(PythonPeer peer) {
      this.peer = peer;
    }
  }

  private static Map<String, Object> report(Map<String, Row> rows, double int8MinCosine, double parityMinCosine,
                                            double coreMlMinCosine) {
    double tier0 = sps(rows, "tier0_b32");
    double lc4j = sps(rows, "langchain4j");
    double bare = sps(rows, "bare_ort_b32");
    double int8 = sps(rows, "tier0_int8");
    double fp32Last4 = sps(rows, "tier0_fp32_last4");
    double coreMlTarget = sps(rows, "tier0_coreml_target_cpu");
    double coreMlUnshared = sps(rows, "tier0_coreml_target_cpu_unshared");
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("benchmark", "engine");
    json.put("model", "all-MiniLM-L6-v2 FP32 (bundled graph, last_hidden_state, mean, max_length 256)");
    json.put("sentences", SENTENCES);
    json.put("repeats", REPEATS);
    json.put("tier0_sps", round(tier0));
    json.put("tier0_batch", 32);
    json.put("langchain4j_sps", round(lc4j));
    json.put("bare_ort_sps", round(bare));
    json.put("int8_sps", round(int8));
    json.put("fp32_last4_sps", round(fp32Last4));
    json.put("coreml_target_cpu_sps", round(coreMlTarget));
    json.put("coreml_target_cpu_unshared_sps", round(coreMlUnshared));
    json.put("int8_min_cosine", int8MinCosine);
    json.put("coreml_target_vs_fp32_last4_min_cosine", coreMlMinCosine);
    json.put("tier0_vs_langchain4j_min_cosine", parityMinCosine);
    json.put("single_query_p50_ms", round(latency(rows, "tier0_b32", 50)));
    json.put("single_query_p99_ms", round(latency(rows, "tier0_b32", 99)));
    Map<String, Object> ratios = new LinkedHashMap<>();
    ratios.put("tier0_over_langchain4j", round(tier0 / lc4j));
    ratios.put("tier0_over_bare_ort", round(tier0 / bare));
    ratios.put("int8_over_fp32", round(int8 / fp32Last4));
    // informational, no floor: the CoreML target is made for the Neural Engine, this is its price on CPU
    ratios.put("coreml_target_cpu_over_fp32_last4", round(coreMlTarget / fp32Last4));
    // informational: shared weights run without ORT's pre-packing (see native/README.md, "Memory")
    ratios.put("coreml_target_shared_over_unshared", round(coreMlTarget / coreMlUnshared));
    json.put("ratios", ratios);
    Map<String, Object> floors = new LinkedHashMap<>();
    floors.put("tier0_over_langchain4j_min_1.3", tier0 / lc4j >= 1.3);
    floors.put("tier0_over_bare_ort_min_0.95", tier0 / bare >= 0.95);
    floors.put("int8_over_fp32_min_1.8", int8 / fp32Last4 >= 1.8);
    floors.put("int8_min_cosine_min_0.99", int8MinCosine >= 0.99);
    json.put("floors", floors);
    json.put("floors_met", floors.values().stream().allMatch(Boolean.TRUE::equals));
    List<Map<String, Object>> table = new ArrayList<>();
    for (Map.Entry<String, Row> e : rows.entrySet()) {
      Row row = e.getValue();
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("id", e.getKey());
      r.put("name", row.contender.name());
      r.put("sentences_per_s", round(row.medianSps()));
      r.put("sentences_per_s_repeats", row.sps.stream().map(EngineBenchmark::round).toList());
      r.put("single_query_p50_ms", round(row.latency(50)));
      r.put("single_query_p99_ms", round(row.latency(99)));
      r.put("peak_rss_mib", round(row.peakRssMib));
      table.add(r);
    }
    json.put("rows", table);
    Map<String, Object> env = new LinkedHashMap<>();
    env.put("cpus", Runtime.getRuntime().availableProcessors());
    env.put("java", System.getProperty("java.version"));
    env.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    env.put("peak_rss_note", "process VmHWM during the row (reset per row); all contenders stay loaded in one JVM");
    json.put("environment", env);
    return json;
  }

  private static void printTable(Map<String, Row> rows, Map<String, Object> json) {
    System.out.println();
    System.out.printf("%-34s %14s %10s %10s %14s%n", "row", "sentences/s", "p50 ms", "p99 ms", "peak RSS MiB");
    for (Row row : rows.values()) {
      System.out.printf("%-34s %14.1f %10.2f %10.2f %14.0f%n", row.contender.name(), row.medianSps(),
          row.latency(50), row.latency(99), row.peakRssMib);
    }
    System.out.println();
    System.out.println("ratios: " + json.get("ratios"));
    System.out.printf("INT8 vs FP32 min cosine: %.5f; tier0 vs LangChain4j min cosine: %.7f; CoreML target vs FP32 "
        + "last4 min cosine: %.7f%n", (double) json.get("int8_min_cosine"),
        (double) json.get("tier0_vs_langchain4j_min_cosine"), (double) json.get("coreml_target_vs_fp32_last4_min_cosine"));
    System.out.println("floors: " + json.get("floors"));
  }

  /**
   * RSS growth (MiB) of loading each directory and embedding 100 sentences, each in a JVM of its own: the
   * single-graph exports against the multi-graph ones, whose static graphs share one copy of the weights unless
   * {@code shareWeights(false)} ("unshared").
   */
  private static Map<String, Object> modelMemory(Path testModels) throws Exception {
    Map<String, Object> memory = new LinkedHashMap<>();
    String[][] loads = {{"minilm-last4-fp32", "shared"}, {"minilm-coreml-fp32", "shared"},
        {"minilm-coreml-fp32", "unshared"}, {"tiny-qwen3-fp32", "shared"}, {"tiny-qwen3-coreml-fp32", "shared"},
        {"tiny-qwen3-coreml-fp32", "unshared"}, {"tiny-qwen3-coreml-fp16", "shared"},
        {"tiny-qwen3-coreml-fp16", "unshared"}};
    for (String[] load : loads) {
      com.fasterxml.jackson.databind.JsonNode m = ModelMemory.fork(requireDir(testModels.resolve(load[0])),
          load[1].equals("shared"));
      String key = load[0] + (load[1].equals("unshared") ? "_unshared" : "");
      Map<String, Object> figures = new LinkedHashMap<>();
      figures.put("rss_growth_mib", m.get("rss_growth_mib").asDouble());
      figures.put("rss_anon_growth_mib", m.get("rss_anon_growth_mib").asDouble());
      figures.put("rss_file_growth_mib", m.get("rss_file_growth_mib").asDouble());
      memory.put(key, figures);
      System.out.printf("  memory %-36s RSS +%.1f MiB%n", key, m.get("rss_growth_mib").asDouble());
    }
    memory.put("note", "process RSS growth from ORT environment ready to model loaded + 100 sentences embedded, "
        + "CPU provider, one forked JVM per load; single-graph dirs have no shared weights (shared = default options)");
    return memory;
  }

  static double minCosine(List<float[]> a, List<float[]> b) {
    if (a == null || b == null) {
      return Double.NaN;
    }
    double min = 1;
    for (int i = 0; i < a.size(); i++) {
      float[] x = a.get(i);
      float[] y = b.get(i);
      double dot = 0, nx = 0, ny = 0;
      for (int k = 0; k < x.length; k++) {
        dot += (double) x[k] * y[k];
        nx += (double) x[k] * x[k];
        ny += (double) y[k] * y[k];
      }
      min = Math.min(min, dot / Math.sqrt(nx * ny));
    }
    return min;
  }

  private static Path requireDir(Path dir) {
    if (!Files.isRegularFile(dir.resolve("tier0-model.json"))) {
      throw new IllegalStateException(dir + " is missing: run ./mvnw -B -pl native generate-test-resources first");
    }
    return dir;
  }

  /** Two decimals; NaN (a row left out) stays NaN instead of becoming 0. */
  static double round(double v) {
    if (Double.isNaN(v)) {
      return v;
    }
    return Math.round(v * 100) / 100.0;
  }
}
