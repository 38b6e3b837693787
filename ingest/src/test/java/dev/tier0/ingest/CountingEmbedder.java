package dev.tier0.ingest;

import dev.tier0.embed.Passage;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An {@link Embedder} that passes everything to another one and counts the texts it embeds as documents (queries are
 * not counted) and the largest batch of queries: tests and benchmarks assert how much model work a write or a search
 * flush cost, by count, not by time.
 */
public final class CountingEmbedder extends ForwardingEmbedder {
  private final AtomicLong embedded = new AtomicLong();
  private final AtomicInteger largestQueryBatch = new AtomicInteger();

  public CountingEmbedder(Embedder delegate) {
    super(delegate);
  }

  /** Texts embedded by {@link #embedDocuments} or {@link #embedPassages} since creation or the last {@link #reset}. */
  public long embedded() {
    return embedded.get();
  }

  /** The most queries one {@link #embedQueries} call has embedded since creation. */
  public int largestQueryBatch() {
    return largestQueryBatch.get();
  }

  public void reset() {
    embedded.set(0);
  }

  @Override
  public List<float[]> embedDocuments(List<String> texts) {
    embedded.addAndGet(texts.size());
    return delegate.embedDocuments(texts);
  }

  /** Counted like documents; forwarded as passages, so the engine reuses the ids it made while cutting them. */
  @Override
  public List<float[]> embedPassages(List<Passage> passages) {
    embedded.addAndGet(passages.size());
    return delegate.embedPassages(passages);
  }

  @Override
  public List<float[]> embedQueries(List<String> queries) {
    largestQueryBatch.accumulateAndGet(queries.size(), Math::max);
    return delegate.embedQueries(queries);
  }
}
