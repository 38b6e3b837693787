package dev.tier0.ingest;

import dev.tier0.embed.Embedding;
import dev.tier0.embed.EmbeddingEngine;
import dev.tier0.embed.ModelSpec;
import dev.tier0.embed.Passage;
import java.util.List;

/** The {@link Embedder} over the shared ONNX engine. The engine's lifecycle stays with whoever acquired it. */
public final class EngineEmbedder implements Embedder {
  private final EmbeddingEngine engine;

  public EngineEmbedder(EmbeddingEngine engine) {
    this.engine = engine;
  }

  @Override
  public String modelName() {
    return engine.modelName();
  }

  @Override
  public int dimension() {
    return engine.dimension();
  }

  @Override
  public List<float[]> embedDocuments(List<String> texts) {
    return engine.embedDocuments(texts).stream().map(Embedding::vector).toList();
  }

  /** The query template applied here, so a micro-batch of queries is one model call (embedQuery takes one). */
  @Override
  public List<float[]> embedQueries(List<String> queries) {
    return embedDocuments(queries.stream().map(engine.spec()::formatQuery).toList());
  }

  @Override
  public int countTokens(String text) {
    return engine.countTokens(text);
  }

  @Override
  public List<Passage> passages(String text, int maxTokens, int overlapTokens) {
    return engine.passages(text, maxTokens, overlapTokens);
  }

  @Override
  public List<float[]> embedPassages(List<Passage> passages) {
    return engine.embedPassages(passages).stream().map(Embedding::vector).toList();
  }

  /** Name, pooling, last-N, max_length, dimension (after MRL), dtype: what makes a text's vector. */
  @Override
  public String settingsFingerprint() {
    ModelSpec s = engine.spec();
    return s.name() + "/" + s.pooling() + "/" + s.lastN() + "/" + s.maxLength() + "/" + engine.dimension() + "/"
        + s.dtype();
  }
}
