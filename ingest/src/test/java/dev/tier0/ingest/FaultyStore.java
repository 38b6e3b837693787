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
  /** Memory id -> its chunk 0 row (what most tests look at: short memories are one row). */
  public final Map<String, StoredMemory> rows = new ConcurrentHashMap<>();
  /** Row id -> row: every chunk. */
  public final Map<String, StoredMemory> chunks = new ConcurrentHashMap<>();
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
        throw new PermanentStoreException("invalid row " + m.chunk().memoryId());
      }
      if (failsWhileAnswering.test(m)) {
        throw new TransientStoreException("SERVER_ERROR (server code 1): maximum recursion depth exceeded", null,
            TransientStoreException.Kind.SERVER_ERROR);
      }
    }
    for (StoredMemory m : batch) {
      chunks.put(m.id(), m);
      if (m.chunk().index() == 0) {
        rows.put(m.chunk().memoryId(), m);
      }
    }
  }

  @Override
  public void deleteMemories(Collection<String> memoryIds) {
    if (down) {
      throw new TransientStoreException("connection refused", null);
    }
    memoryIds.forEach(rows::remove);
    chunks.values().removeIf(m -> memoryIds.contains(m.chunk().memoryId()));
  }

  @Override
  public List<dev.tier0.milvus.StoredChunk> storedRows(Collection<String> rowIds) {
    if (down) {
      throw new TransientStoreException("connection refused", null);
    }
    return rowIds.stream().map(chunks::get).filter(java.util.Objects::nonNull).map(FaultyStore::stored).toList();
  }

  /** A row as a store reads it back by id. */
  static dev.tier0.milvus.StoredChunk stored(StoredMemory m) {
    return new dev.tier0.milvus.StoredChunk(m.chunk().memoryId(), m.chunk().index(), m.chunk().count(),
        m.chunk().truncated(), m.chunk().fingerprint(), m.vector());
  }

  @Override
  public void delete(Collection<String> ids) {
    if (down) {
      throw new TransientStoreException("connection refused", null);
    }
    for (String id : ids) {
      StoredMemory removed = chunks.remove(id);
      if (removed != null && removed.chunk().index() == 0) {
        rows.remove(removed.chunk().memoryId()); // rows is by memory id; ids here are row ids (memoryId#index)
      }
    }
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
