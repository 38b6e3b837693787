package dev.tier0.embed.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
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
 * FP32 against its INT8 exports (dynamic and static, {@code tier0-export quantize --mode}; dynamic after ORT's
 * offline BERT fusions, {@code --fuse bert}, with the fused FP32 graph as a second reference) in the Java engine:
 * MiniLM last-4 from {@code native/target/test-models/}, batch 32, the engine bench's 2,000 sentences
 * ({@code Sentences.generate(2000, 5, 60, 42)}). Rows run interleaved, {@code -Dbench.repeats} times (default 5);
 * sentences/s is the median. Quality: min cosine of each INT8 row to FP32 over all sentences, and dense hit@3
 * on the search evaluation set ({@code streams-app/src/test/resources/eval/hybrid-eval.jsonl}, as HybridEvalIT
 * counts it: the expected memory among the top 3) with exact cosine over the set's memories (~300: what HNSW
 * at ef 50 returns at that size). Writes {@code target/bench/int8.json}. Run with {@code bench/run int8}.
 */
public final class QuantizationBenchmark {
  private static final int REPEATS = Integer.getInteger("bench.repeats", 5);

  private record Row(String id, Tier0Contender contender, List<Double> sps) {}

  private record Query(String set, String text, String expect) {}

  public static void main(String[] args) throws Exception {
    Path root = Path.of(System.getProperty("tier0.home", "."));
    Path out = Path.of(System.getProperty("bench.out", "target/bench")).resolve("int8.json");
    Path testModels = root.resolve("native/target/test-models");
    List<String> sentences = Sentences.generate(2000, 5, 60, 42);
    EngineOptions options = EngineOptions.builder().provider(ExecutionProvider.CPU).batchMaxRecords(32).build();
    List<Row> rows = new ArrayList<>();
    // -Dbench.int8.models=id:dir:label,... compares other exports (the first row is the FP32 reference)
    String models = System.getProperty("bench.int8.models", "fp32:minilm-last4-fp32:FP32 last4,"
        + "int8_dynamic:minilm-last4-int8:INT8 dynamic last4,int8_static:minilm-last4-int8-static:INT8 static QDQ last4,"
        + "fp32_fused:minilm-last4-fp32-fused:FP32 fused last4,int8_fused:minilm-last4-int8-fused:INT8 fused last4");
    for (String model : models.split(",")) {
      String[] r = model.split(":", 3);
      Path dir = testModels.resolve(r[1]);
      if (!Files.isRegularFile(dir.resolve("tier0-model.json"))) {
        throw new IllegalStateException(dir + " is missing: run ./mvnw -B -pl native generate-test-resources");
      }
      rows.add(new Row(r[0], new Tier0Contender(r[2] + " batch 32", dir, options), new ArrayList<>()));
    }
    for (Row row : rows) {
      row.contender.embedAll(sentences.subList(0, 200)); // warm-up, untimed
    }
    Map<String, List<float[]>> vectors = new LinkedHashMap<>();
    for (int repeat = 0; repeat < REPEATS; repeat++) {
      for (Row row : rows) {
        long start = System.nanoTime();
        List<float[]> result = row.contender.embedAll(sentences);
        double sps = sentences.size() / ((System.nanoTime() - start) / 1e9);
        row.sps.add(sps);
        vectors.put(row.id, result);
        System.out.printf("  repeat %d  %-32s %8.1f sentences/s%n", repeat + 1, row.contender.name(), sps);
      }
    }

    List<String> memoryIds = new ArrayList<>();
    List<String> memoryTexts = new ArrayList<>();
    List<Query> queries = new ArrayList<>();
    ObjectMapper mapper = new ObjectMapper();
    for (String line : Files.readAllLines(root.resolve("streams-app/src/test/resources/eval/hybrid-eval.jsonl"))) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode n = mapper.readTree(line);
      if ("memory".equals(n.get("kind").asText())) {
        memoryIds.add(n.get("id").asText());
        memoryTexts.add(n.get("text").asText());
      } else {
        queries.add(new Query(n.get("set").asText(), n.get("query").asText(), n.get("expect").asText()));
      }
    }

    double fp32 = median(rows.get(0).sps);
    String reference = rows.get(0).id;
    // the FP32 graph with the same offline BERT fusions, when it is a row: INT8's gain over FP32 without them
    double fp32Fused = rows.stream().filter(r -> r.id.equals("fp32_fused")).findFirst()
        .map(r -> median(r.sps)).orElse(Double.NaN);
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("benchmark", "int8");
    json.put("model", "all-MiniLM-L6-v2 last4 (native/target/test-models), batch 32, CPU");
    json.put("sentences", sentences.size());
    json.put("repeats", REPEATS);
    List<Map<String, Object>> table = new ArrayList<>();
    System.out.printf("%n%-28s %12s %8s %8s %12s %s%n", "row", "sentences/s", "x FP32", "x fused", "min cosine",
        "dense hit@3 by set");
    for (Row row : rows) {
      Map<String, Object> r = new LinkedHashMap<>();
      double sps = median(row.sps);
      double cosine = minCosine(vectors.get(row.id), vectors.get(reference));
      Map<String, String> hit3 = hitAt3(row.contender, memoryIds, memoryTexts, queries);
      r.put("id", row.id);
      r.put("name", row.contender.name());
      r.put("sentences_per_s", round(sps));
      r.put("sentences_per_s_repeats", row.sps.stream().map(QuantizationBenchmark::round).toList());
      r.put("over_fp32", round(sps / fp32));
      if (!Double.isNaN(fp32Fused)) {
        r.put("over_fp32_fused", round(sps / fp32Fused));
      }
      r.put("min_cosine_to_fp32", cosine);
      r.put("dense_hit_at_3", hit3);
      table.add(r);
      System.out.printf("%-28s %12.1f %8.2f %8.2f %12.5f %s%n", row.contender.name(), sps, sps / fp32,
          sps / fp32Fused, cosine, hit3);
    }
    json.put("rows", table);
    json.put("load_average_at_end", Files.readString(Path.of("/proc/loadavg")).trim());
    json.put("cpus", Runtime.getRuntime().availableProcessors());
    Files.createDirectories(out.getParent());
    mapper.enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), json);
    System.out.println("wrote " + out.toAbsolutePath());
    for (Row row : rows) {
      row.contender.close();
    }
  }

  /** Per query set: "hits/queries" of the expected memory among the 3 memories nearest the query (exact cosine). */
  private static Map<String, String> hitAt3(Tier0Contender model, List<String> ids, List<String> texts,
                                            List<Query> queries) {
    List<float[]> memories = model.embedAll(texts);
    Map<String, int[]> bySet = new LinkedHashMap<>();
    for (Query q : queries) {
      float[] v = model.embedOne(q.text);
      double[] scores = new double[memories.size()];
      for (int i = 0; i < scores.length; i++) {
        scores[i] = dot(v, memories.get(i));
      }
      int expected = ids.indexOf(q.expect);
      int better = 0;
      for (double s : scores) {
        if (s > scores[expected]) {
          better++;
        }
      }
      int[] counts = bySet.computeIfAbsent(q.set, k -> new int[2]);
      counts[0] += better < 3 ? 1 : 0;
      counts[1]++;
    }
    Map<String, String> out = new LinkedHashMap<>();
    bySet.forEach((set, c) -> out.put(set, c[0] + "/" + c[1]));
    return out;
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s; // the engine's vectors are L2-normalised: this is the cosine
  }

  private static double minCosine(List<float[]> a, List<float[]> b) {
    double min = 1;
    for (int i = 0; i < a.size(); i++) {
      min = Math.min(min, dot(a.get(i), b.get(i)));
    }
    return min;
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
