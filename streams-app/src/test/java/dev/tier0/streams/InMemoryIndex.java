package dev.tier0.streams;

import dev.tier0.ingest.VectorStore;
import dev.tier0.milvus.Hit;
import dev.tier0.milvus.MetadataFilter;
import dev.tier0.milvus.SearchQuery;
import dev.tier0.milvus.StoredMemory;
import dev.tier0.milvus.TransientStoreException;
import java.math.BigDecimal;
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
final class InMemoryIndex implements VectorStore {
  /** Memory id -> its chunk 0 row. */
  final Map<String, StoredMemory> rows = new ConcurrentHashMap<>();
  /** Row id -> row: every chunk. */
  final Map<String, StoredMemory> chunks = new ConcurrentHashMap<>();
  final AtomicInteger upsertCalls = new AtomicInteger();
  final AtomicInteger searchCalls = new AtomicInteger();
  volatile boolean available = true;

  @Override
  public void upsert(List<StoredMemory> batch) {
    checkAvailable();
    upsertCalls.incrementAndGet();
    for (StoredMemory m : batch) {
      chunks.put(m.id(), m);
      if (m.chunk().index() == 0) {
        rows.put(m.chunk().memoryId(), m);
      }
    }
  }

  @Override
  public void deleteMemories(Collection<String> memoryIds) {
    checkAvailable();
    memoryIds.forEach(rows::remove);
    chunks.values().removeIf(m -> memoryIds.contains(m.chunk().memoryId()));
  }

  @Override
  public List<dev.tier0.milvus.StoredChunk> storedRows(Collection<String> rowIds) {
    checkAvailable();
    return rowIds.stream().map(chunks::get).filter(Objects::nonNull)
        .map(m -> new dev.tier0.milvus.StoredChunk(m.chunk().memoryId(), m.chunk().index(), m.chunk().count(),
            m.chunk().truncated(), m.chunk().fingerprint(), m.vector()))
        .toList();
  }

  @Override
  public void delete(Collection<String> ids) {
    checkAvailable();
    for (String id : ids) { // row ids (memoryId#index): a memory's entry goes with its chunk 0
      StoredMemory removed = chunks.remove(id);
      if (removed != null && removed.chunk().index() == 0) {
        rows.remove(removed.chunk().memoryId());
      }
    }
  }

  @Override
  public List<Hit> search(SearchQuery query) {
    checkAvailable();
    searchCalls.incrementAndGet();
    // one hit per memory, its best chunk: what Milvus's grouping search returns
    Map<String, Hit> best = new java.util.HashMap<>();
    chunks.values().stream()
        .filter(m -> m.tenant().equals(query.tenant()))
        .filter(m -> query.filter().entrySet().stream()
            .allMatch(f -> Objects.equals(String.valueOf(m.metadata().get(f.getKey())), f.getValue())))
        .filter(m -> query.options().filter().conditions().stream().allMatch(c -> matches(c, m.metadata())))
        .map(m -> new Hit(m.chunk().memoryId(), cosine(query.vector(), m.vector()),
            m.chunk().count() > 1 ? rows.get(m.chunk().memoryId()).chunk().memoryText() : m.text(), m.metadata(),
            m.text(), m.chunk().index(), m.chunk().count(), m.chunk().start(), m.chunk().end(),
            m.chunk().truncated()))
        .forEach(h -> best.merge(h.id(), h, (a, b) -> a.score() >= b.score() ? a : b));
    return best.values().stream()
        .filter(h -> query.minScore() == null || h.score() >= query.minScore())
        .sorted(Comparator.comparingDouble(Hit::score).reversed())
        .limit(query.topK())
        .toList();
  }

  /** Typed conditions as Milvus evaluates them on JSON: a number equals a number, never its string. */
  private static boolean matches(MetadataFilter.Condition c, Map<String, Object> metadata) {
    Object v = metadata.get(c.key());
    if (c instanceof MetadataFilter.Equals e) {
      return same(e.value(), v);
    }
    if (c instanceof MetadataFilter.In in) {
      return in.values().stream().anyMatch(x -> same(x, v));
    }
    MetadataFilter.Range r = (MetadataFilter.Range) c;
    if (!(v instanceof Number n)) {
      return false;
    }
    BigDecimal d = new BigDecimal(n.toString());
    return (r.gt() == null || d.compareTo(r.gt()) > 0) && (r.gte() == null || d.compareTo(r.gte()) >= 0)
        && (r.lt() == null || d.compareTo(r.lt()) < 0) && (r.lte() == null || d.compareTo(r.lte()) <= 0);
  }

  private static boolean same(Object wanted, Object actual) {
    if (wanted instanceof BigDecimal w) {
      return actual instanceof Number n && w.compareTo(new BigDecimal(n.toString())) == 0;
    }
    return Objects.equals(wanted, actual);
  }

  @Override
  public boolean answers() {
    return available;
  }

  private void checkAvailable() {
    if (!available) {
      throw new TransientStoreException("in-memory index taken down by the test", null);
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
