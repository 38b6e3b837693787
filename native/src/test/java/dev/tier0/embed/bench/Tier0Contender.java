package dev.tier0.embed.bench;

import dev.tier0.embed.Embedding;
import dev.tier0.embed.EmbeddingEngine;
import dev.tier0.embed.EngineOptions;
import dev.tier0.embed.SharedModels;
import java.nio.file.Path;
import java.util.List;

/** tier0's engine through its public API. */
final class Tier0Contender implements Contender {
  private final String name;
  private final EmbeddingEngine engine;

  Tier0Contender(String name, Path modelDir, EngineOptions options) {
    this.name = name;
    this.engine = SharedModels.acquire(modelDir, options);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<float[]> embedAll(List<String> sentences) {
    return engine.embedDocuments(sentences).stream().map(Embedding::vector).toList();
  }

  @Override
  public float[] embedOne(String sentence) {
    return engine.embedQuery(sentence).vector();
  }

  @Override
  public void close() {
    engine.close();
  }
}
