package dev.tier0.milvus;

import java.util.Map;

/** One search result; higher scores are better: cosine (dense), BM25 (keyword), fused (hybrid); see {@link SearchResult}. */
public record Hit(String id, float score, String text, Map<String, Object> metadata) {
}
