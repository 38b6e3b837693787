package dev.tier0.milvus;

import java.util.List;

/**
 * Hits, best first, and the mode that served them. Scores depend on the mode: cosine similarity (dense), a BM25
 * score (keyword; Milvus Lite returns it negated, tier0 flips it so higher is better everywhere), the fused score
 * (hybrid: RRF sums of 1/(k + rank), or the weighted sum of normalised leg scores); with recency, that score times
 * the decay factor.
 */
public record SearchResult(List<Hit> hits, SearchMode mode) {
    public SearchResult {
        hits = List.copyOf(hits);
    }
}
