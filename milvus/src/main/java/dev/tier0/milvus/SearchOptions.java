package dev.tier0.milvus;

import java.time.Duration;

/**
 * What a search asks beyond the vector: the query text (the keyword leg's input: Milvus analyzes it with the
 * collection's analyzer), the mode, the fusion of a hybrid search, a typed filter and recency.
 *
 * @param text     the query text; required for keyword and hybrid modes
 * @param mode     null = hybrid where the collection has the BM25 field, else dense
 * @param fusion   null = {@link Fusion#defaultFusion()} (weighted, dense 0.7)
 * @param filter   null = none; AND-combined with the query's equality map and the tenant
 * @param recency  null = no time decay
 */
public record SearchOptions(String text, SearchMode mode, Fusion fusion, MetadataFilter filter, Recency recency) {
    public static final SearchOptions NONE = new SearchOptions(null, SearchMode.DENSE, null, null, null);

    public SearchOptions {
        fusion = fusion == null ? Fusion.defaultFusion() : fusion;
        filter = filter == null ? MetadataFilter.NONE : filter;
    }

    /**
     * Exponential time decay on the record timestamp: a memory {@code halfLife} old keeps
     * {@code floor + (1 - floor) / 2} of its score, a very old one {@code floor}, so an old exact match is ranked
     * lower but not hidden. Applied by tier0 to an over-fetched candidate set (see {@link RecencyRescorer}).
     *
     * @param halfLife  positive
     * @param nowMs     the reference time, epoch ms (the request's time)
     */
    public record Recency(Duration halfLife, long nowMs) {
        /** The share of its score that even the oldest memory keeps. */
        public static final double FLOOR = 0.5;

        public Recency {
            if (halfLife == null || halfLife.isNegative() || halfLife.isZero()) {
                throw new IllegalArgumentException("recency half-life must be positive, got " + halfLife);
            }
        }
    }
}
