package dev.tier0.embed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bundled model through tier0 against LangChain4j's own pipeline for the same graph and tokenizer. */
class MiniLmParityIT {

  @Test
  void bundledModelMatchesLangChain4jOnEverySentence() {
    List<String> sentences = new java.util.ArrayList<>(Sentences.generate(60, 3, 60, 7));
    sentences.addAll(List.of("Hello world", "Ünïcödé text with accents: café, naïve, Zürich.",
        "Numbers 12345 and symbols #$%&*!", "日本語のテキストも扱えます。", "emoji 🚀🔥 in a sentence"));
    AllMiniLmL6V2EmbeddingModel reference = new AllMiniLmL6V2EmbeddingModel();
    List<float[]> expected = reference.embedAll(sentences.stream().map(TextSegment::from).toList()).content()
        .stream().map(e -> e.vector()).toList();

    try (EmbeddingEngine engine = SharedModels.acquire(TestModels.minilm(), EngineOptions.builder()
        .provider(ExecutionProvider.CPU).build())) {
      List<Embedding> actual = engine.embedDocuments(sentences);
      assertThat(actual).hasSize(sentences.size());
      double min = 1;
      for (int i = 0; i < sentences.size(); i++) {
        double cos = TestModels.cosine(actual.get(i).vector(), expected.get(i));
        min = Math.min(min, cos);
        assertThat(cos).as("cosine for \"%s\"", sentences.get(i)).isGreaterThanOrEqualTo(0.99999);
        assertThat(norm(actual.get(i).vector())).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
      }
      System.out.printf("MiniLM parity vs LangChain4j: %d sentences, min cosine %.8f%n", sentences.size(), min);
    }
  }

  private static double norm(float[] v) {
    double s = 0;
    for (float x : v) {
      s += x * x;
    }
    return Math.sqrt(s);
  }
}
