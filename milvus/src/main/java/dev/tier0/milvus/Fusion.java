package dev.tier0.milvus;

/**
 * How a hybrid search merges its dense and keyword legs. {@link #rrf()} (the default): reciprocal rank fusion with
 * k = 60, which needs no score calibration (BM25 scores are unbounded, cosine is in [-1, 1]). {@link #weighted}:
 * Milvus's WeightedRanker, which normalises each leg's scores and sums them with these weights.
 *
 * @param kind          RRF or WEIGHTED
 * @param rrfK          the RRF constant (> 0); ignored for WEIGHTED
 * @param denseWeight   weight of the dense leg in [0, 1]; the keyword leg gets 1 - denseWeight; ignored for RRF
 */
public record Fusion(Kind kind, int rrfK, float denseWeight) {
    public enum Kind { RRF, WEIGHTED }

    public static final int DEFAULT_RRF_K = 60;

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

    public static Fusion rrf() {
        return new Fusion(Kind.RRF, DEFAULT_RRF_K, 0.5f);
    }

    public static Fusion weighted(float denseWeight) {
        return new Fusion(Kind.WEIGHTED, DEFAULT_RRF_K, denseWeight);
    }
}
