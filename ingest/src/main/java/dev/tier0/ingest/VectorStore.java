package dev.tier0.ingest;

import dev.tier0.milvus.Hit;
import dev.tier0.milvus.SearchMode;
import dev.tier0.milvus.SearchQuery;
import dev.tier0.milvus.SearchResult;
import dev.tier0.milvus.StoredMemory;
import java.util.Collection;
import java.util.List;

/**
 * What ingest and search need from the vector store; {@link MilvusVectorStore} is the one implementation.
 * Every failure is a {@link dev.tier0.milvus.TransientStoreException} (the store did not answer: retry later) or
 * a {@link dev.tier0.milvus.PermanentStoreException} (it refused: the same call will fail again); anything else is
 * a bug in the caller or the store.
 */
public interface VectorStore {
  /** Inserts or replaces rows by id; idempotent, since ids are deterministic. */
  void upsert(List<StoredMemory> rows);

  /** Removes the rows with these ids; ids not present are no error. */
  void delete(Collection<String> ids);

  /** Removes every row (every chunk) of these memories; ids not present are no error. */
  void deleteMemories(Collection<String> memoryIds);

  /**
   * The stored rows with these row ids ({@code memoryId#index}): index, chunk count, truncation, fingerprint and
   * vector, read by primary key; ids not stored are left out. The writer reads chunk 0 to learn a memory's stored
   * count and fingerprint, then the other passages' vectors only when they can be reused. A store that cannot tell
   * returns nothing: everything is embedded and tombstones fall back to {@link #deleteMemories}.
   */
  default List<dev.tier0.milvus.StoredChunk> storedRows(Collection<String> rowIds) {
    return List.of();
  }

  /** Nearest memories within the query's tenant, best first. */
  List<Hit> search(SearchQuery query);

  /**
   * A search in the query's mode (dense, keyword, hybrid), with the mode that served it. A store without keyword
   * search serves every query dense, and says so.
   */
  default SearchResult searchMemories(SearchQuery query) {
    return new SearchResult(search(query), SearchMode.DENSE);
  }

  /**
   * Whether the store answers a cheap read now. The writer asks after a transient-looking failure: a server that
   * answers while it keeps failing one row is refusing that row, not down.
   */
  boolean answers();
}
