package dev.tier0.milvus;

/**
 * How a hybrid search merges its dense and keyword legs. {@link #weighted} ({@link #defaultFusion()}: dense 0.7):
 * Milvus's WeightedRanker with norm_score, which maps each leg's scores into [0, 1] (cosine to (1 + c) / 2, BM25
 * to 2 atan(s) / pi) and sums them with these weights. {@link #rrf()}: reciprocal rank fusion, k = 60 by default.
 * The default was chosen on HybridEvalIT's evaluation set (README, "Modes"): weighted 0.6 to 0.9 met both of
 * issue 13's bars there, no RRF k from 5 to 100 did (all lost two paraphrase queries at hit@1).
 *
 * @param kind          RRF or WEIGHTED
 * @param rrfK          the RRF constant (> 0); ignored for WEIGHTED
 * @param denseWeight   weight of the dense leg in [0, 1]; the keyword leg gets 1 - denseWeight; ignored for RRF
 */
public record Fusion(Kind kind, int rrfK, float denseWeight) {
    public enum Kind { RRF, WEIGHTED }

    public static final int DEFAULT_RRF_K = 60;
    /** The dense leg's weight when a request names none; the middle of the 0.6 to 0.9 plateau on the eval set. */
    public static final float DEFAULT_DENSE_WEIGHT = 0.7f;

    public Fusion {
        if (kind == null) {
            throw new IllegalArgumentException("fusion kind is required");
        }
        if (rrfK <= 0 || rrfK > 16_384) {
            throw new IllegalArgumentException("RRF k must be in [1, 16384], got " + rrfK);
        }
        if (!(denseWeight >= 0f && denseWeight <= 1f)) {
            throw new IllegalArgumentException("dense weight must be in [0, 1], got " + denseWeight);
        }
    }

    /** What a hybrid search without a fusion uses: weighted, dense {@value #DEFAULT_DENSE_WEIGHT}. */
    public static Fusion defaultFusion() {
        return weighted(DEFAULT_DENSE_WEIGHT);
    }

    public static Fusion rrf() {
        return new Fusion(Kind.RRF, DEFAULT_RRF_K, 0.5f);
    }

    public static Fusion weighted(float denseWeight) {
        return new Fusion(Kind.WEIGHTED, DEFAULT_RRF_K, denseWeight);
    }
}
