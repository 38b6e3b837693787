package dev.tier0.milvus;

import java.util.Map;

/**
 * A query within one tenant. {@code filter} holds metadata string equality conditions (the first request
 * version); {@code ef <= 0} means the configured default; {@code minScore} (cosine) may be null; {@code options}
 * adds mode, fusion, typed filter and recency ({@link SearchOptions#NONE}: a dense search as before).
 */
public record SearchQuery(float[] vector, String tenant, int topK, Map<String, String> filter, int ef, Float minScore,
                          SearchOptions options) {
    public SearchQuery {
        filter = filter == null ? Map.of() : filter;
        options = options == null ? SearchOptions.NONE : options;
    }

    /** A dense search, as before search modes existed. */
    public SearchQuery(float[] vector, String tenant, int topK, Map<String, String> filter, int ef, Float minScore) {
        this(vector, tenant, topK, filter, ef, minScore, SearchOptions.NONE);
    }
}
