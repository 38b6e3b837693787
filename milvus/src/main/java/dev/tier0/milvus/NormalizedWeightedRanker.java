package dev.tier0.milvus;

import io.milvus.v2.service.vector.request.ranker.WeightedRanker;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Milvus's WeightedRanker with {@code norm_score: true}. The Java SDK (2.6.22) sends only the weights, and then
 * the server sums raw leg scores: a BM25 score (unbounded, often 5 to 15) swamps a cosine (at most 1), so the
 * dense weight barely matters. With {@code norm_score} each leg is mapped into [0, 1] first (Milvus Lite 3.2.2,
 * {@code merge_op._normalize_func}: cosine to (1 + c) / 2, BM25 to 2 atan(s) / pi), as pymilvus does by default.
 */
final class NormalizedWeightedRanker extends WeightedRanker {
    /** @param weights one weight per leg, in the order of the hybrid request's legs (dense, keyword) */
    NormalizedWeightedRanker(List<Float> weights) {
        super(weights);
    }

    /** The SDK's rank parameters with norm_score added to the "params" JSON. */
    @Override
    public Map<String, String> getParams() {
        Map<String, String> params = new HashMap<>(super.getParams());
        String inner = params.get("params");
        params.put("params", inner.substring(0, inner.lastIndexOf('}')) + ",\"norm_score\":true}");
        return params;
    }
}
