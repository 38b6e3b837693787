package dev.tier0.embed;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Java engine on a CoreML-target (multi-graph, static-shape) directory with the CPU provider against the
 * dynamic export of the same weights, on batches that straddle the bucket (32/64/128) and batch-size (1/8)
 * boundaries: 1, 7, 8, 9 and 17 texts, at, under and over each bucket's length, plus empty, CJK and emoji texts.
 */
class CoreMlTargetParityIT {
  private static final EngineOptions CPU = EngineOptions.builder().provider(ExecutionProvider.CPU).build();
  /** Token counts around every bucket boundary (32/64/128) and past max_length (truncated to 128). */
  private static final int[] LENGTHS = {3, 31, 32, 33, 63, 64, 65, 127, 128, 129, 300, 10, 45, 90, 20, 70, 128};
  private static final int[] BATCH_SIZES = {1, 7, 8, 9, 17};

  @ParameterizedTest(name = "{0} vs {1}")
  @CsvSource({
      "tiny-qwen3-coreml-fp32, tiny-qwen3-fp32, 0.99999",
      // both FP16 (the two graphs round differently): measured min 0.9999997, so the FP32 floor holds here too
      "tiny-qwen3-coreml-fp16, tiny-qwen3-fp16, 0.99999",
      "minilm-coreml-fp32, minilm-last4-fp32, 0.99999",
      "minilm-coreml-pooled-fp32, minilm-last4-fp32, 0.99999"})
  void staticGraphsEmbedLikeTheDynamicExport(String staticDir, String dynamicDir, double floor) throws IOException {
    Path coreml = TestModels.generated(staticDir);
    ModelSpec spec = ModelSpec.read(coreml);
    assertThat(spec.multiGraph()).isTrue();
    try (EmbeddingEngine actual = SharedModels.acquire(coreml, CPU);
         EmbeddingEngine expected = SharedModels.acquire(dynamicWithMaxLength(dynamicDir, spec.maxLength()), CPU)) {
      double min = 1;
      int compared = 0;
      for (int size : BATCH_SIZES) {
        for (List<String> texts : List.of(mixed(actual, size), sameLength(actual, size, 32), sameLength(actual, size, 64),
            sameLength(actual, size, 33))) {
          List<Embedding> got = actual.embedDocuments(texts);
          List<Embedding> want = expected.embedDocuments(texts);
          assertThat(got).hasSize(texts.size());
          for (int i = 0; i < texts.size(); i++) {
            assertThat(got.get(i).vector()).hasSize(spec.outputDimension());
            assertThat(got.get(i).tokenCount()).isEqualTo(want.get(i).tokenCount());
            assertThat(got.get(i).truncated()).isEqualTo(want.get(i).truncated());
            double cos = agreement(got.get(i).vector(), want.get(i).vector());
            min = Math.min(min, cos);
            compared++;
            assertThat(cos).as("%s, batch of %d, text %d (%d tokens)", staticDir, size, i, got.get(i).tokenCount())
                .isGreaterThanOrEqualTo(floor);
          }
        }
      }
      System.out.printf("%s vs %s: %d texts, min cosine %.8f, graph runs %s%n", staticDir, dynamicDir, compared, min,
          actual.graphRuns());
      // every graph of the directory served at least one batch: the batches above reach every bucket and both sizes
      assertThat(actual.graphRuns().keySet())
          .containsExactlyInAnyOrderElementsOf(spec.graphs().stream().map(ModelSpec.StaticGraph::file).toList());
    }
  }

  @Test
  void theEngineReportsWhichGraphServedEachBatch() {
    Path coreml = TestModels.generated("minilm-coreml-fp32");
    try (EmbeddingEngine engine = SharedModels.acquire(coreml, CPU)) {
      Map<String, Long> runsBefore = engine.graphRuns();
      Map<String, Long> rowsBefore = engine.graphRows();
      // 9 texts of 32 tokens: one b8-s32 run and one b1-s32 run; 2 of 64: one b8-s64 run with 6 fill rows
      List<String> texts = new ArrayList<>(sameLength(engine, 9, 32));
      texts.addAll(sameLength(engine, 2, 64));
      engine.embedDocuments(texts);
      assertThat(delta(engine.graphRuns(), runsBefore)).isEqualTo(Map.of(
          "graphs/b8-s32.onnx", 1L, "graphs/b1-s32.onnx", 1L, "graphs/b8-s64.onnx", 1L));
      assertThat(delta(engine.graphRows(), rowsBefore)).isEqualTo(Map.of(
          "graphs/b8-s32.onnx", 8L, "graphs/b1-s32.onnx", 1L, "graphs/b8-s64.onnx", 2L));
    }
  }

  @Test
  void aTextAloneEqualsTheSameTextAmongFillRowsAndOtherBuckets() {
    // fill rows and neighbours must not leak into a row: the same text alone (b1) and in a batch of 3 (b8 + 5 fill)
    Path coreml = TestModels.generated("tiny-qwen3-coreml-fp32");
    try (EmbeddingEngine engine = SharedModels.acquire(coreml, CPU)) {
      List<String> batch = List.of("", "漢字とかな、そして絵文字 🚀🎉", Sentences.generate(1, 10, 10, 3).get(0));
      List<Embedding> together = engine.embedDocuments(batch);
      for (int i = 0; i < batch.size(); i++) {
        float[] alone = engine.embedDocuments(List.of(batch.get(i))).get(0).vector();
        assertThat(agreement(alone, together.get(i).vector())).as("text %d", i).isGreaterThanOrEqualTo(0.99999);
      }
      assertThat(together.get(0).tokenCount()).as("the empty text keeps its count of 0 tokens").isZero();
    }
  }

  /**
   * The cosine, or 1 when both vectors are zero: the tiny random Qwen3 has an all-zero embedding row for its pad id,
   * so the empty text (one pad token, see TextTokenizer) has zero hidden states and the zero vector in both exports.
   */
  private static double agreement(float[] a, float[] b) {
    boolean aZero = true;
    boolean bZero = true;
    for (int i = 0; i < a.length; i++) {
      aZero &= a[i] == 0f;
      bZero &= b[i] == 0f;
    }
    return aZero && bZero ? 1.0 : TestModels.cosine(a, b);
  }

  @Test
  void mrlTruncationStaysInJavaWhenTheGraphPools() throws IOException {
    Path pooled = TestModels.generated("minilm-coreml-pooled-fp32");
    String json = java.nio.file.Files.readString(pooled.resolve(ModelSpec.FILE_NAME))
        .replaceFirst("\"mrl_dimension\": null", "\"mrl_dimension\": 128");
    Path mrl = ModelDirs.multiGraphWithSpec(pooled, "minilm-coreml-pooled-mrl128", json);
    List<String> texts = mixed(null, 9);
    try (EmbeddingEngine full = SharedModels.acquire(pooled, CPU);
         EmbeddingEngine truncated = SharedModels.acquire(mrl, CPU)) {
      assertThat(truncated.dimension()).isEqualTo(128);
      List<Embedding> a = full.embedDocuments(texts);
      List<Embedding> b = truncated.embedDocuments(texts);
      for (int i = 0; i < texts.size(); i++) {
        assertThat(b.get(i).vector()).hasSize(128);
        assertThat(TestModels.cosine(b.get(i).vector(), Pooler.truncate(a.get(i).vector(), 128)))
            .isGreaterThanOrEqualTo(0.999999);
      }
    }
  }

  private static Map<String, Long> delta(Map<String, Long> after, Map<String, Long> before) {
    Map<String, Long> d = new HashMap<>();
    after.forEach((k, v) -> {
      long n = v - before.getOrDefault(k, 0L);
      if (n != 0) {
        d.put(k, n);
      }
    });
    return d;
  }

  /**
   * The dynamic directory with the static one's max_length (the tiny Qwen3 fixture says 32, its CoreML target 128)
   * and padding=longest, so both truncate the same texts at the same length.
   */
  private static Path dynamicWithMaxLength(String dynamicDir, int maxLength) throws IOException {
    Path source = TestModels.generated(dynamicDir);
    ModelSpec s = ModelSpec.read(source);
    if (s.maxLength() == maxLength) {
      return source;
    }
    ModelSpec variant = new ModelSpec(s.name(), s.dimension(), s.outputs(), s.pooling(), s.lastN(), maxLength,
        ModelSpec.Padding.LONGEST, s.buckets(), s.paddingSide(), s.padTokenId(), s.dtype(), s.queryTemplate(),
        s.mrlDimension(), s.modelFile(), s.tokenizerFile());
    return ModelDirs.withSpec(source, ModelDirs.fresh(dynamicDir + "-max" + maxLength), variant.toJson());
  }

  /**
   * {@code size} texts with token counts cycling through LENGTHS (when an engine is given to count them), with an
   * empty, a CJK and an emoji text.
   */
  private static List<String> mixed(EmbeddingEngine engine, int size) {
    List<String> texts = new ArrayList<>();
    List<String> bases = Sentences.generate(size, 3, 80, 1000 + size);
    for (int i = 0; i < size; i++) {
      texts.add(switch (i % 9) {
        case 4 -> "";
        case 6 -> "東京の天気は晴れ、気温は二十度です。北京和上海的天气也很好。";
        case 8 -> "Launch day 🚀🎉 — 다 함께 축하해요! ✨ " + bases.get(i);
        default -> engine == null ? bases.get(i) : withTokens(engine, bases.get(i), LENGTHS[i % LENGTHS.length]);
      });
    }
    return texts;
  }

  private static List<String> sameLength(EmbeddingEngine engine, int size, int tokens) {
    List<String> texts = new ArrayList<>();
    for (String base : Sentences.generate(size, 3, 30, 77L * tokens + size)) {
      texts.add(withTokens(engine, base, tokens));
    }
    return texts;
  }

  /** The text cut or extended word by word to exactly {@code tokens} tokens (special tokens included). */
  static String withTokens(EmbeddingEngine engine, String base, int tokens) {
    List<String> words = new ArrayList<>(List.of(base.split(" ")));
    while (words.size() > 1 && engine.countTokens(String.join(" ", words)) > tokens) {
      words.remove(words.size() - 1);
    }
    String text = String.join(" ", words);
    int count = engine.countTokens(text);
    StringBuilder sb = new StringBuilder(text);
    while (count < tokens) {
      sb.append(" a".repeat(tokens - count)); // " a" is one token in both vocabularies; checked below
      count = engine.countTokens(sb.toString());
    }
    assertThat(count).as("token count of a constructed text").isEqualTo(tokens);
    return sb.toString();
  }
}
