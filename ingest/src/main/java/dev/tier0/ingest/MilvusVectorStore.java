package dev.tier0.ingest;

import dev.tier0.milvus.Hit;
import dev.tier0.milvus.MemoryStore;
import dev.tier0.milvus.MilvusConfig;
import dev.tier0.milvus.SearchQuery;
import dev.tier0.milvus.SearchResult;
import dev.tier0.milvus.StoredMemory;
import dev.tier0.milvus.TransientStoreException;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link VectorStore} over Milvus. Connects on first use (or {@link #open()}) and ensures the collection;
 * after a transient failure the next call opens a fresh connection and ensures the collection again, instead of
 * waiting out gRPC's reconnect backoff, and because a restarted Milvus Lite comes back with its collections
 * released. Thread-safe: ingest and search threads may share one.
 */
public final class MilvusVectorStore implements VectorStore, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MilvusVectorStore.class);

  private final MilvusConfig config;
  private final int dimension;
  private MemoryStore store; // guarded by this

  /**
   * @param config    where and which collection
   * @param dimension the model's vector dimension: the collection is created with it, or verified against it
   */
  public MilvusVectorStore(MilvusConfig config, int dimension) {
    this.config = config;
    this.dimension = dimension;
  }

  /** Connects and ensures the collection now, so a wrong configuration fails at start, not at the first write. */
  public MilvusVectorStore open() {
    current();
    return this;
  }

  @Override
  public void upsert(List<StoredMemory> rows) {
    call(s -> {
      s.upsert(rows);
      return null;
    });
  }

  @Override
  public void delete(Collection<String> ids) {
    call(s -> {
      s.delete(ids);
      return null;
    });
  }

  @Override
  public void deleteMemories(Collection<String> memoryIds) {
    call(s -> {
      s.deleteMemories(memoryIds);
      return null;
    });
  }

  @Override
  public List<dev.tier0.milvus.StoredChunk> storedRows(Collection<String> rowIds) {
    return call(s -> s.storedRows(rowIds));
  }

  @Override
  public List<Hit> search(SearchQuery query) {
    return call(s -> s.search(query));
  }

  @Override
  public SearchResult searchMemories(SearchQuery query) {
    return call(s -> s.searchMemories(query));
  }

  @Override
  public boolean answers() {
    try {
      call(MemoryStore::existingDimension);
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private <T> T call(Function<MemoryStore, T> action) {
    MemoryStore s = current();
    try {
      return action.apply(s);
    } catch (TransientStoreException e) {
      disconnect(s);
      throw e;
    }
  }

  private synchronized MemoryStore current() {
    if (store == null) {
      MemoryStore opened = MemoryStore.connect(config);
      try {
        opened.ensureCollection(dimension);
      } catch (RuntimeException e) {
        opened.close();
        throw e;
      }
      store = opened;
    }
    return store;
  }

  /** Drops a connection that failed; a call still running on it fails transiently too and is retried. */
  private synchronized void disconnect(MemoryStore failed) {
    if (store != failed) {
      return; // another thread replaced it already
    }
    store = null;
    try {
      failed.close();
    } catch (RuntimeException e) {
      LOG.debug("closing a failed Milvus connection", e);
    }
  }

  @Override
  public synchronized void close() {
    if (store != null) {
      store.close();
      store = null;
    }
  }

  @Override
  public String toString() {
    return config.toString();
  }
}
