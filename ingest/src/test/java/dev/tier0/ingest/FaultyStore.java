package dev.tier0.ingest;

import dev.tier0.milvus.Hit;
import dev.tier0.milvus.PermanentStoreException;
import dev.tier0.milvus.SearchQuery;
import dev.tier0.milvus.StoredMemory;
import dev.tier0.milvus.TransientStoreException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A store that fails on demand, for the writer's and the runtimes' tests (shipped in this module's test jar):
 * down altogether (transient, no answer), refusing the rows a predicate picks for good (as Milvus does an
 * invalid row), or failing them "transiently" while it answers (as Milvus Lite does a row it cannot decode). A
 * request with a bad row fails whole, as a real server's does.
 */
public final class FaultyStore implements VectorStore {
  public final Map<String, StoredMemory> rows = new ConcurrentHashMap<>();
  public final AtomicInteger upsertCalls = new AtomicInteger();
  public volatile boolean down;
  /** Refusing every write for load (a rate limit): transient, never a row's fault. */
  public volatile boolean overloaded;
  /** Up, but refusing even the probe ({@link #answers()}), as a store does that denies every call. */
  public volatile boolean probeFails;
  public volatile Predicate<StoredMemory> refuses = m -> false;
  public volatile Predicate<StoredMemory> failsWhileAnswering = m -> false;

  @Override
  public void upsert(List<StoredMemory> batch) {
    upsertCalls.incrementAndGet();
    if (down) {
      throw new TransientStoreException("connection refused", null);
    }
    if (overloaded) {
      throw new TransientStoreException("SERVER_ERROR (server code 8): rate limit exceeded", null,
          TransientStoreException.Kind.OVERLOADED);
    }
    for (StoredMemory m : batch) {
      if (refuses.test(m)) {
        throw new PermanentStoreException("invalid row " + m.id());
      }
      if (failsWhileAnswering.test(m)) {
        throw new TransientStoreException("SERVER_ERROR (server code 1): maximum recursion depth exceeded", null,
            TransientStoreException.Kind.SERVER_ERROR);
      }
    }
    batch.forEach(m -> rows.put(m.id(), m));
  }

  @Override
  public void delete(Collection<String> ids) {
    if (down) {
      throw new TransientStoreException("connection refused", null);
    }
    ids.forEach(rows::remove);
  }

  @Override
  public List<Hit> search(SearchQuery query) {
    throw new UnsupportedOperationException("FaultyStore stores; it does not search");
  }

  @Override
  public boolean answers() {
    return !down && !probeFails;
  }
}
