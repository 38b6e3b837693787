package dev.tier0.streams.search;

import dev.tier0.milvus.Fusion;
import dev.tier0.milvus.MetadataFilter;
import dev.tier0.milvus.SearchMode;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * A validated search request (the JSON contract: query, tenant, top_k, mode, fusion, dense_weight, filter,
 * min_score, recency_half_life).
 *
 * @param filter            typed conditions on metadata and the record timestamp; never an expression
 * @param minScore          null = no threshold (cosine; dense mode only)
 * @param mode              null = the server's default (hybrid where the collection has the BM25 field)
 * @param fusion            null = the default, weighted with dense 0.7
 * @param recencyHalfLife   null = no time decay
 */
public record SearchRequest(String query, String tenant, int topK, MetadataFilter filter, Float minScore,
                            SearchMode mode, Fusion fusion, Duration recencyHalfLife) {
  public SearchRequest {
    Objects.requireNonNull(query, "query");
    Objects.requireNonNull(tenant, "tenant");
    filter = filter == null ? MetadataFilter.NONE : filter;
  }

  /** A request of the first version: string equality filters, the default mode. */
  public SearchRequest(String query, String tenant, int topK, Map<String, String> filter, Float minScore) {
    this(query, tenant, topK, MetadataFilter.ofStrings(filter), minScore, null, null, null);
  }
}
