package dev.tier0.streams;

import dev.tier0.streams.search.SearchHit;
import dev.tier0.streams.search.SearchRequest;
import java.util.Collection;
import java.util.List;

/**
 * What the topologies need from the vector store. The production implementation is {@link MilvusMemoryIndex};
 * implementations throw {@link IndexUnavailableException} when the store cannot be reached (worth retrying) and
 * {@link IndexRejectedException} when it refuses the operation.
 */
public interface MemoryIndex {
  /** Idempotent: ids are deterministic, so a replayed batch overwrites itself. */
  void upsert(List<IndexedMemory> batch);

  void delete(Collection<String> ids);

  /** Nearest memories within the request's tenant, filter applied, at most top_k, at least min_score. */
  List<SearchHit> search(float[] vector, SearchRequest request);
}
