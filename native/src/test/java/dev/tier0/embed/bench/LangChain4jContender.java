package dev.tier0.embed.bench;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import java.util.List;

/** LangChain4j's in-process all-MiniLM-L6-v2: the same graph and tokenizer, its own pipeline (embedAll). */
final class LangChain4jContender implements Contender {
  private final AllMiniLmL6V2EmbeddingModel model = new AllMiniLmL6V2EmbeddingModel();

  @Override
  public String name() {
    return "langchain4j embedAll";
  }

  @Override
  public List<float[]> embedAll(List<String> sentences) {
    return model.embedAll(sentences.stream().map(TextSegment::from).toList()).content().stream()
        .map(Embedding::vector).toList();
  }

  @Override
  public float[] embedOne(String sentence) {
    return model.embed(sentence).content().vector();
  }

  @Override
  public void close() {
    // LangChain4j's model has no close: its session lives until the JVM exits
  }
}
