package dev.tier0.ingest;

import dev.tier0.embed.Passage;
import java.util.List;

/**
 * A model that forwards every call to another (shipped in this module's test jar), as {@link ForwardingStore} does
 * for stores: tests extend it and override the one call they count, hold back or fail, on the real model.
 * {@link #embedPassages} is not forwarded: Embedder's default sends the passages' texts to {@link #embedDocuments},
 * so an override of that sees every passage the writer embeds (the delegate's ids made while cutting are not
 * reused; the real runtimes use {@link EngineEmbedder}, which does).
 */
public class ForwardingEmbedder implements Embedder {
  protected final Embedder delegate;

  public ForwardingEmbedder(Embedder delegate) {
    this.delegate = delegate;
  }

  @Override
  public String modelName() {
    return delegate.modelName();
  }

  @Override
  public int dimension() {
    return delegate.dimension();
  }

  @Override
  public List<float[]> embedDocuments(List<String> texts) {
    return delegate.embedDocuments(texts);
  }

  @Override
  public List<float[]> embedQueries(List<String> queries) {
    return delegate.embedQueries(queries);
  }

  @Override
  public int countTokens(String text) {
    return delegate.countTokens(text);
  }

  @Override
  public List<Passage> passages(String text, int maxTokens, int overlapTokens) {
    return delegate.passages(text, maxTokens, overlapTokens);
  }

  @Override
  public String settingsFingerprint() {
    return delegate.settingsFingerprint();
  }
}
