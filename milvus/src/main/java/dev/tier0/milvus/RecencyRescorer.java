package dev.tier0.milvus;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Recency applied by tier0: the store over-fetches candidates ({@link #candidates}), each score is multiplied by
 * {@code floor + (1 - floor) * 0.5^(age / halfLife)} and the best {@code topK} are kept. Milvus has a decay ranker
 * only from 2.6 (the SDK's DecayRanker); neither Milvus Lite 3.2.2 nor Milvus 2.5 runs it, so tier0 re-scores on
 * every server. The floor keeps an old exact match ranked by its own score, halved at most, instead of hidden.
 * Scores are assumed positive (cosine of near matches, BM25, fused scores).
 */
final class RecencyRescorer {
    /** Candidates fetched per wanted hit: enough for recency to promote a newer memory from beyond the top k. */
    static final int OVERFETCH = 4;
    static final int MIN_CANDIDATES = 20;

    private RecencyRescorer() {
    }

    static int candidates(int topK, int max) {
        return Math.min(max, Math.max(MIN_CANDIDATES, topK * OVERFETCH));
    }

    /** The decay factor of a memory with this timestamp; a future timestamp counts as age 0. */
    static double factor(SearchOptions.Recency recency, long timestampMs) {
        double age = Math.max(0, recency.nowMs() - timestampMs);
        double halfLives = age / recency.halfLife().toMillis();
        return SearchOptions.Recency.FLOOR + (1 - SearchOptions.Recency.FLOOR) * Math.pow(0.5, halfLives);
    }

    /** Hits re-scored and re-ordered (stable for ties), the best topK. */
    static List<Hit> rescore(List<Hit> hits, long[] timestamps, SearchOptions.Recency recency, int topK) {
        List<Hit> out = new ArrayList<>(hits.size());
        for (int i = 0; i < hits.size(); i++) {
            Hit h = hits.get(i);
            out.add(h.withScore((float) (h.score() * factor(recency, timestamps[i]))));
        }
        out.sort(Comparator.comparingDouble(Hit::score).reversed());
        return out.size() > topK ? List.copyOf(out.subList(0, topK)) : out;
    }
}
