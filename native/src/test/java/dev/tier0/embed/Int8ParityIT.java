package dev.tier0.embed;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The dynamic INT8 exports of MiniLM last-4 ({@code tier0-export quantize}, plain and {@code --fuse bert}) against
 * their FP32 original in the Java engine: the quality bar of issue 14 (min cosine >= 0.99 on generated English
 * sentences, no dense hit@3 lost on the search evaluation set). Speed is measured by {@code bench/run int8}, not here.
 */
class Int8ParityIT {
  private static final EngineOptions CPU = EngineOptions.builder().provider(ExecutionProvider.CPU).build();

  private record Query(String set, String text, String expect) {}

  private static final List<String> MEMORY_IDS = new ArrayList<>();
  private static final List<String> MEMORY_TEXTS = new ArrayList<>();
  private static final List<Query> QUERIES = new ArrayList<>();

  /** The search issue's evaluation set (memories and queries with their expected memory), owned by streams-app. */
  @BeforeAll
  static void readEvaluationSet() throws IOException {
    Path file = TestModels.nativeModuleDir().resolve("../streams-app/src/test/resources/eval/hybrid-eval.jsonl");
    ObjectMapper mapper = new ObjectMapper();
    for (String line : Files.readAllLines(file)) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode n = mapper.readTree(line);
      if ("memory".equals(n.get("kind").asText())) {
        MEMORY_IDS.add(n.get("id").asText());
        MEMORY_TEXTS.add(n.get("text").asText());
      } else {
        QUERIES.add(new Query(n.get("set").asText(), n.get("query").asText(), n.get("expect").asText()));
      }
    }
    assertThat(QUERIES).as("queries in %s", file).hasSizeGreaterThan(20);
  }

  @ParameterizedTest
  @ValueSource(strings = {"minilm-last4-int8", "minilm-last4-int8-fused"})
  void int8KeepsCosineAndHitAt3OfFp32(String int8Dir) {
    List<String> sentences = Sentences.generate(240, 5, 60, 20261130L);
    try (EmbeddingEngine int8 = SharedModels.acquire(TestModels.generated(int8Dir), CPU);
         EmbeddingEngine fp32 = SharedModels.acquire(TestModels.generated("minilm-last4-fp32"), CPU)) {
      List<Embedding> quantized = int8.embedDocuments(sentences);
      List<Embedding> full = fp32.embedDocuments(sentences);
      double min = 1;
      for (int i = 0; i < sentences.size(); i++) {
        min = Math.min(min, TestModels.cosine(quantized.get(i).vector(), full.get(i).vector()));
      }
      Map<String, Integer> int8Hits = hitsAt3(int8);
      Map<String, Integer> fp32Hits = hitsAt3(fp32);
      System.out.printf("%s vs FP32: min cosine %.5f over %d sentences; hit@3 %s vs %s%n", int8Dir, min,
          sentences.size(), int8Hits, fp32Hits);
      assertThat(min).as("min cosine to FP32").isGreaterThanOrEqualTo(0.99);
      fp32Hits.forEach((set, hits) -> assertThat(int8Hits.get(set)).as("hit@3 of set %s", set)
          .isGreaterThanOrEqualTo(hits));
    }
  }

  /** Per query set: queries whose expected memory is among the 3 nearest memories (exact cosine), as HybridEvalIT. */
  private static Map<String, Integer> hitsAt3(EmbeddingEngine engine) {
    List<Embedding> memories = engine.embedDocuments(MEMORY_TEXTS);
    Map<String, Integer> hits = new LinkedHashMap<>();
    for (Query q : QUERIES) {
      float[] v = engine.embedQuery(q.text()).vector();
      double expected = TestModels.cosine(v, memories.get(MEMORY_IDS.indexOf(q.expect())).vector());
      long better = memories.stream().filter(m -> TestModels.cosine(v, m.vector()) > expected).count();
      hits.merge(q.set(), better < 3 ? 1 : 0, Integer::sum);
    }
    return hits;
  }
}
