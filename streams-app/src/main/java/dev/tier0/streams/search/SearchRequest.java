package dev.tier0.streams.search;

import java.util.Map;
import java.util.Objects;

/**
 * A validated search request (the JSON contract: query, tenant, top_k, filter, min_score).
 *
 * @param filter   equality conditions on metadata keys; never an expression
 * @param minScore null = no threshold
 */
public record SearchRequest(String query, String tenant, int topK, Map<String, String> filter, Float minScore) {
  public SearchRequest {
    Objects.requireNonNull(query, "query");
    Objects.requireNonNull(tenant, "tenant");
    filter = filter == null ? Map.of() : Map.copyOf(filter);
  }
}
