package dev.tier0.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Defined behaviour of the engine on the bundled MiniLM: edge-case texts, batching, order, MRL. */
class EngineBehaviourIT {
  private static final EngineOptions CPU = EngineOptions.builder().provider(ExecutionProvider.CPU).build();

  @Test
  void emptyAndWhitespaceTextsGetTheEmbeddingOfTheSpecialTokensAlone() {
    try (EmbeddingEngine engine = SharedModels.acquire(TestModels.minilm(), CPU)) {
      List<Embedding> e = engine.embedDocuments(List.of("", "   \t\n", "real text"));
      assertThat(e.get(0).tokenCount()).isEqualTo(2); // [CLS] [SEP]
      assertThat(e.get(0).truncated()).isFalse();
      assertThat(unitNorm(e.get(0).vector())).isTrue();
      assertThat(e.get(1).vector()).containsExactly(e.get(0).vector()); // BERT drops whitespace entirely
      assertThat(TestModels.cosine(e.get(0).vector(), e.get(2).vector())).isLessThan(0.99);
    }
  }

  @Test
  void overLongTextIsTruncatedFlaggedAndCounted() {
    String longText = String.join(" ", Sentences.generate(40, 20, 30, 3));
    try (EmbeddingEngine engine = SharedModels.acquire(TestModels.minilm(), CPU)) {
      assertThat(engine.countTokens(longText)).isGreaterThan(256);
      Embedding e = engine.embedQuery(longText);
      assertThat(e.truncated()).isTrue();
      assertThat(e.tokenCount()).isEqualTo(256);
      assertThat(unitNorm(e.vector())).isTrue();
      Embedding shortOne = engine.embedQuery("a short text");
      assertThat(shortOne.truncated()).isFalse();
      assertThat(shortOne.tokenCount()).isEqualTo(engine.countTokens("a short text")).isEqualTo(5);
    }
  }

  @Test
  void unpairedSurrogatesEmbedLikeTheReplacementCharacter() {
    try (EmbeddingEngine engine = SharedModels.acquire(TestModels.minilm(), CPU)) {
      List<Embedding> e = engine.embedDocuments(List.of("broken \uD83D text", "broken \uFFFD text"));
      assertThat(e.get(0).vector()).containsExactly(e.get(1).vector());
    }
  }

  @Test
  void batchingNeverChangesAVectorAndInputOrderIsKept() {
    List<String> texts = new ArrayList<>(Sentences.generate(70, 2, 60, 11));
    texts.add(3, "");
    EngineOptions tiny = CPU.toBuilder().batchMaxRecords(5).batchMaxTokens(300).build();
    try (EmbeddingEngine batched = SharedModels.acquire(TestModels.minilm(), tiny);
         EmbeddingEngine single = SharedModels.acquire(TestModels.minilm(), CPU.toBuilder().batchMaxRecords(1).build())) {
      List<Embedding> all = batched.embedDocuments(texts);
      List<Embedding> one = single.embedDocuments(texts);
      for (int i = 0; i < texts.size(); i++) {
        assertThat(TestModels.cosine(all.get(i).vector(), one.get(i).vector())).as("text %d", i)
            .isGreaterThanOrEqualTo(0.99999);
        assertThat(all.get(i).tokenCount()).isEqualTo(single.countTokens(texts.get(i)));
      }
      assertThat(batched.embedDocuments(List.of())).isEmpty();
    }
  }

  @Test
  void inputsLargerThanOneTokenisationChunkKeepTheirOrder() {
    int n = OnnxEmbeddingEngine.TOKENIZE_CHUNK + 50;
    List<String> texts = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      texts.add(i % 2 == 0 ? "w" + i : "x");
    }
    try (EmbeddingEngine engine = SharedModels.acquire(TestModels.minilm(), CPU)) {
      List<Embedding> all = engine.embedDocuments(texts);
      assertThat(all).hasSize(n);
      for (int i : new int[] {0, 1, 2, OnnxEmbeddingEngine.TOKENIZE_CHUNK - 2, OnnxEmbeddingEngine.TOKENIZE_CHUNK,
          OnnxEmbeddingEngine.TOKENIZE_CHUNK + 1, n - 2}) {
        assertThat(TestModels.cosine(all.get(i).vector(), engine.embedQuery(texts.get(i)).vector()))
            .as("text %d", i).isGreaterThanOrEqualTo(0.99999);
      }
    }
  }

  @Test
  void mrlDimensionTruncatesAndRenormalises() throws Exception {
    Path dir = ModelDirs.fresh("mrlDimensionTruncatesAndRenormalises");
    Path mrl = ModelDirs.withSpec(TestModels.minilm(), dir, ModelDirs.minilmSpec("\"mrl_dimension\":128"));
    try (EmbeddingEngine full = SharedModels.acquire(TestModels.minilm(), CPU);
         EmbeddingEngine cut = SharedModels.acquire(mrl, CPU)) {
      assertThat(cut.dimension()).isEqualTo(128);
      assertThat(full.dimension()).isEqualTo(384);
      float[] f = full.embedQuery("matryoshka vectors").vector();
      float[] c = cut.embedQuery("matryoshka vectors").vector();
      assertThat(c).hasSize(128);
      assertThat(unitNorm(c)).isTrue();
      assertThat(TestModels.cosine(java.util.Arrays.copyOf(f, 128), c)).isGreaterThan(0.999999);
    }
  }

  @Test
  void queryTemplateIsAppliedToQueriesOnly() throws Exception {
    Path dir = ModelDirs.fresh("queryTemplateIsAppliedToQueriesOnly");
    Path templated = ModelDirs.withSpec(TestModels.minilm(), dir,
        ModelDirs.minilmSpec("\"query_template\":\"search query: {query}\""));
    try (EmbeddingEngine engine = SharedModels.acquire(templated, CPU)) {
      float[] query = engine.embedQuery("red bicycles").vector();
      float[] doc = engine.embedDocuments(List.of("red bicycles")).get(0).vector();
      float[] manual = engine.embedDocuments(List.of("search query: red bicycles")).get(0).vector();
      assertThat(query).containsExactly(manual);
      assertThat(TestModels.cosine(query, doc)).isLessThan(0.9999);
    }
  }

  @Test
  void aClosedHandleRefusesWork() {
    EmbeddingEngine engine = SharedModels.acquire(TestModels.minilm(), CPU);
    engine.close();
    engine.close(); // idempotent
    assertThatThrownBy(() -> engine.embedQuery("x")).isInstanceOf(IllegalStateException.class);
  }

  static boolean unitNorm(float[] v) {
    double s = 0;
    for (float x : v) {
      s += x * x;
    }
    return Math.abs(Math.sqrt(s) - 1) < 1e-5;
  }
}
