package dev.tier0.milvus;

import java.util.Map;

/**
 * One memory found by a search: the best of its passages. Higher scores are better: cosine (dense), BM25
 * (keyword), fused (hybrid), each of the best passage; see {@link SearchResult}.
 *
 * @param id         the memory id
 * @param text       the memory's whole text
 * @param passage    the passage that matched
 * @param chunkIndex the passage's position in the memory (0-based), of {@code chunkCount}
 * @param spanStart  the passage's start in {@code text}, UTF-16 code units
 * @param spanEnd    its end (exclusive)
 * @param truncated  whether the memory was cut at chunk.max.per.memory when stored (its tail is not searchable)
 */
public record Hit(String id, float score, String text, Map<String, Object> metadata, String passage, int chunkIndex,
                  int chunkCount, int spanStart, int spanEnd, boolean truncated) {
    /** A hit on a memory stored whole, as one passage. */
    public Hit(String id, float score, String text, Map<String, Object> metadata) {
        this(id, score, text, metadata, text, 0, 1, 0, text == null ? 0 : text.length(), false);
    }

    /** This hit with another score (recency re-scoring); every passage field kept. */
    public Hit withScore(float newScore) {
        return new Hit(id, newScore, text, metadata, passage, chunkIndex, chunkCount, spanStart, spanEnd, truncated);
    }
}
