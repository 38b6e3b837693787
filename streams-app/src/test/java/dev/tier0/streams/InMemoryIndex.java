package dev.tier0.streams;

import dev.tier0.streams.search.SearchHit;
import dev.tier0.streams.search.SearchRequest;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Exact brute-force cosine search over a map, for TopologyTestDriver tests: an independent reference for what the
 * topology asks of a store (the integration tests use Milvus Lite). {@link #available} lets a test take it down.
 */
final class InMemoryIndex implements MemoryIndex {
  final Map<String, IndexedMemory> rows = new ConcurrentHashMap<>();
  final AtomicInteger upsertCalls = new AtomicInteger();
  final AtomicInteger searchCalls = new AtomicInteger();
  volatile boolean available = true;

  @Override
  public void upsert(List<IndexedMemory> batch) {
    checkAvailable();
    upsertCalls.incrementAndGet();
    batch.forEach(m -> rows.put(m.memory().id(), m));
  }

  @Override
  public void delete(Collection<String> ids) {
    checkAvailable();
    ids.forEach(rows::remove);
  }

  @Override
  public List<SearchHit> search(float[] vector, SearchRequest request) {
    checkAvailable();
    searchCalls.incrementAndGet();
    return rows.values().stream()
        .filter(m -> m.memory().tenant().equals(request.tenant()))
        .filter(m -> request.filter().entrySet().stream()
            .allMatch(f -> Objects.equals(String.valueOf(m.memory().metadata().get(f.getKey())), f.getValue())))
        .map(m -> new SearchHit(m.memory().id(), cosine(vector, m.vector()), m.memory().text(), m.memory().metadata()))
        .filter(h -> request.minScore() == null || h.score() >= request.minScore())
        .sorted(Comparator.comparingDouble(SearchHit::score).reversed())
        .limit(request.topK())
        .toList();
  }

  private void checkAvailable() {
    if (!available) {
      throw new IndexUnavailableException("in-memory index taken down by the test", null);
    }
  }

  static float cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return (float) (dot / Math.sqrt(na * nb));
  }
}
