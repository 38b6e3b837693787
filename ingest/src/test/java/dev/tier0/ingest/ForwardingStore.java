package dev.tier0.ingest;

import dev.tier0.milvus.Hit;
import dev.tier0.milvus.SearchQuery;
import dev.tier0.milvus.SearchResult;
import dev.tier0.milvus.StoredChunk;
import dev.tier0.milvus.StoredMemory;
import java.util.Collection;
import java.util.List;

/**
 * A store that forwards every call to another (shipped in this module's test jar): tests extend it and override the
 * one call they hold, slow down or fail, on a real store or an in-memory one.
 */
public class ForwardingStore implements VectorStore {
  protected final VectorStore delegate;

  public ForwardingStore(VectorStore delegate) {
    this.delegate = delegate;
  }

  @Override
  public void upsert(List<StoredMemory> rows) {
    delegate.upsert(rows);
  }

  @Override
  public void delete(Collection<String> ids) {
    delegate.delete(ids);
  }

  @Override
  public void deleteMemories(Collection<String> memoryIds) {
    delegate.deleteMemories(memoryIds);
  }

  @Override
  public List<StoredChunk> storedRows(Collection<String> rowIds) {
    return delegate.storedRows(rowIds);
  }

  @Override
  public List<Hit> search(SearchQuery query) {
    return delegate.search(query);
  }

  @Override
  public SearchResult searchMemories(SearchQuery query) {
    return delegate.searchMemories(query);
  }

  @Override
  public boolean answers() {
    return delegate.answers();
  }
}
