package dev.tier0.streams;

import dev.tier0.milvus.Hit;
import dev.tier0.milvus.InvalidFilterException;
import dev.tier0.milvus.MemoryStore;
import dev.tier0.milvus.SearchQuery;
import dev.tier0.milvus.StoreException;
import dev.tier0.milvus.StoredMemory;
import dev.tier0.milvus.TransientStoreException;
import dev.tier0.streams.search.ErrorCode;
import dev.tier0.streams.search.RequestRejectedException;
import dev.tier0.streams.search.SearchHit;
import dev.tier0.streams.search.SearchRequest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;

/**
 * The {@link MemoryIndex} port over the Milvus store, translating its two error families. After the store was
 * unavailable, the next call first re-checks the collection (and loads it again: a restarted Milvus Lite comes
 * back with its collections released, and every search would fail until someone loads them).
 */
public final class MilvusMemoryIndex implements MemoryIndex {
  private final MemoryStore store;
  private final int dimension;
  private volatile boolean recheckCollection;

  public MilvusMemoryIndex(MemoryStore store, int dimension) {
    this.store = store;
    this.dimension = dimension;
  }

  @Override
  public void upsert(List<IndexedMemory> batch) {
    List<StoredMemory> rows = new ArrayList<>(batch.size());
    for (IndexedMemory m : batch) {
      rows.add(new StoredMemory(m.memory().id(), m.memory().tenant(), m.vector(), m.memory().text(),
          m.memory().metadata(), m.topic(), m.partition(), m.offset(), m.timestamp(), m.model()));
    }
    translate("upsert", () -> {
      store.upsert(rows);
      return null;
    });
  }

  @Override
  public void delete(Collection<String> ids) {
    translate("delete", () -> {
      store.delete(ids);
      return null;
    });
  }

  @Override
  public List<SearchHit> search(float[] vector, SearchRequest request) {
    SearchQuery query = new SearchQuery(vector, request.tenant(), request.topK(), request.filter(), 0,
        request.minScore());
    List<Hit> hits;
    try {
      hits = translate("search", () -> store.search(query));
    } catch (IndexRejectedException e) {
      if (e.getCause() instanceof InvalidFilterException invalid) {
        throw new RequestRejectedException(ErrorCode.BAD_FILTER, invalid.getMessage());
      }
      throw e;
    }
    return hits.stream().map(h -> new SearchHit(h.id(), h.score(), h.text(), h.metadata())).toList();
  }

  private <T> T translate(String operation, Supplier<T> call) {
    try {
      if (recheckCollection) {
        store.ensureCollection(dimension);
        recheckCollection = false;
      }
      return call.get();
    } catch (TransientStoreException e) {
      recheckCollection = true;
      throw new IndexUnavailableException(operation + ": " + e.getMessage(), e);
    } catch (StoreException e) {
      throw new IndexRejectedException(operation + ": " + e.getMessage(), e);
    }
  }
}
