package dev.tier0.milvus;

import java.util.Map;

/**
 * A nearest-neighbour query within one tenant. {@code filter} holds metadata equality conditions;
 * {@code ef <= 0} means the configured default; {@code minScore} may be null.
 */
public record SearchQuery(float[] vector, String tenant, int topK, Map<String, String> filter, int ef, Float minScore) {
}
