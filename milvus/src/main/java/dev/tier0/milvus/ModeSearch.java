package dev.tier0.milvus;

import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.vector.request.AnnSearchReq;
import io.milvus.v2.service.vector.request.HybridSearchReq;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.data.BaseVector;
import io.milvus.v2.service.vector.request.data.EmbeddedText;
import io.milvus.v2.service.vector.request.ranker.RRFRanker;
import io.milvus.v2.service.vector.response.SearchResp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds the Milvus request of each search mode and reads its results. Every leg carries the same filter
 * expression (tenant AND typed filter), so isolation and filters hold on each leg before fusion. Every mode groups
 * by {@code memory_id} (issue 12): a result is the best passage of one memory, so a limit counts memories.
 *
 * <p>Milvus Lite 3.2.2 serves all three with the Java SDK's requests: {@code search} on the sparse field with an
 * {@link EmbeddedText} query, {@code hybridSearch} with RRF or weighted rankers. It returns BM25 scores negated
 * (distance-style); {@link #keywordScore} makes them positive on both servers.
 */
final class ModeSearch {
    private final String database;
    private final String collection;

    ModeSearch(String database, String collection) {
        this.database = database;
        this.collection = collection;
    }

    /** Which mode serves: the asked one, or the default (hybrid where possible; dense when min_score asks cosine). */
    static SearchMode resolve(SearchMode asked, boolean keywordCapable, Float minScore, String collection) {
        if (asked == null) {
            return keywordCapable && minScore == null ? SearchMode.HYBRID : SearchMode.DENSE;
        }
        if (asked != SearchMode.DENSE && !keywordCapable) {
            throw new UnsupportedModeException("mode '" + asked.wireName() + "' needs the BM25 field '"
                    + CollectionSpec.SPARSE + "', which collection '" + collection + "' does not have: it was created"
                    + " before tier0 added keyword search. Use mode 'dense', or migrate: point milvus.collection at a"
                    + " new name and re-ingest (replay the ingest topic); tier0 never alters an existing collection.");
        }
        if (asked != SearchMode.DENSE && minScore != null) {
            throw new InvalidFilterException("min_score is a cosine similarity and applies to mode 'dense' only; "
                    + asked.wireName() + " scores are BM25 or fused ranks");
        }
        return asked;
    }

    SearchReq dense(BaseVector vector, String filter, int limit, int ef, List<String> outputFields) {
        return SearchReq.builder().databaseName(database).collectionName(collection)
                .annsField(CollectionSpec.VECTOR).metricType(IndexParam.MetricType.COSINE)
                .data(List.of(vector)).topK(limit).filter(filter).searchParams(Map.of("ef", ef))
                .groupByFieldName(CollectionSpec.MEMORY_ID)
                .outputFields(outputFields)
                // read-your-own-writes for this client without waiting for every replica (Strong would)
                .consistencyLevel(ConsistencyLevel.SESSION).build();
    }

    SearchReq keyword(String text, String filter, int limit, List<String> outputFields) {
        return SearchReq.builder().databaseName(database).collectionName(collection)
                .annsField(CollectionSpec.SPARSE).metricType(IndexParam.MetricType.BM25)
                .data(List.of(new EmbeddedText(KeywordText.of(text)))).topK(limit).filter(filter)
                .groupByFieldName(CollectionSpec.MEMORY_ID)
                .outputFields(outputFields).consistencyLevel(ConsistencyLevel.SESSION).build();
    }

    /**
     * Candidates each hybrid leg fetches for {@code limit} fused hits: fusion can only reward a memory both legs
     * found, so each leg looks deeper than the answer (with only {@code limit} per leg, a keyword hit on common
     * words ties the dense leg's best answer and wins half the time).
     */
    static int legCandidates(int limit, int max) {
        return Math.min(max, Math.max(limit * 2, 10));
    }

    /**
     * Both legs, each fetching {@link #legCandidates} under the same filter, fused by the ranker into {@code limit}
     * hits. The dense leg's ef is sent as the JSON params string, the only form AnnSearchReq has.
     */
    HybridSearchReq hybrid(BaseVector vector, String text, String filter, int limit, int ef, Fusion fusion,
                           List<String> outputFields) {
        int leg = legCandidates(limit, MemoryStore.MAX_TOP_K);
        AnnSearchReq dense = AnnSearchReq.builder().vectorFieldName(CollectionSpec.VECTOR)
                .metricType(IndexParam.MetricType.COSINE).vectors(List.of(vector)).filter(filter).limit(leg)
                .params("{\"ef\": " + Math.max(ef, leg) + "}").build();
        AnnSearchReq keyword = AnnSearchReq.builder().vectorFieldName(CollectionSpec.SPARSE)
                .metricType(IndexParam.MetricType.BM25).vectors(List.of(new EmbeddedText(KeywordText.of(text)))).filter(filter)
                .limit(leg).build();
        return HybridSearchReq.builder().databaseName(database).collectionName(collection)
                .searchRequests(List.of(dense, keyword)).ranker(ranker(fusion)).limit(limit)
                .groupByFieldName(CollectionSpec.MEMORY_ID)
                .outFields(outputFields).consistencyLevel(ConsistencyLevel.SESSION).build();
    }

    static CreateCollectionReq.Function ranker(Fusion fusion) {
        if (fusion.kind() == Fusion.Kind.WEIGHTED) {
            return new NormalizedWeightedRanker(List.of(fusion.denseWeight(), 1f - fusion.denseWeight()));
        }
        return RRFRanker.builder().k(fusion.rrfK()).build();
    }

    /** BM25 scores are >= 0; Milvus Lite sends them negated. */
    static float keywordScore(float raw) {
        return Math.abs(raw);
    }

    /** The first query's results as hits with raw fields; scores mapped so higher is better in every mode. */
    static List<Hit> hits(SearchResp response, SearchMode mode) {
        List<Hit> hits = new ArrayList<>();
        if (response.getSearchResults().isEmpty()) {
            return hits;
        }
        for (SearchResp.SearchResult r : response.getSearchResults().get(0)) {
            float score = mode == SearchMode.KEYWORD ? keywordScore(r.getScore()) : r.getScore();
            hits.add(hit(r.getEntity(), r.getId(), score));
        }
        return hits;
    }

    /**
     * A hit from one result row (a passage): the memory id, the passage and where it sits. The memory's whole text
     * is the passage for a memory of one chunk, else {@code memory_text} when the row is chunk 0; other hits get
     * it from {@code MemoryStore.withMemoryTexts}.
     */
    static Hit hit(Map<String, Object> entity, Object rowId, float score) {
        String passage = (String) entity.get(CollectionSpec.TEXT);
        String memoryId = (String) entity.getOrDefault(CollectionSpec.MEMORY_ID,
                String.valueOf(entity.getOrDefault(CollectionSpec.ID, rowId)));
        int count = intValue(entity.get(CollectionSpec.CHUNK_COUNT), 1);
        String memoryText = (String) entity.get(CollectionSpec.MEMORY_TEXT);
        String text = count == 1 || memoryText == null || memoryText.isEmpty() ? passage : memoryText;
        return new Hit(memoryId, score, text, JsonValues.toMap(entity.get(CollectionSpec.METADATA)), passage,
                intValue(entity.get(CollectionSpec.CHUNK_INDEX), 0), count,
                intValue(entity.get(CollectionSpec.SPAN_START), 0),
                intValue(entity.get(CollectionSpec.SPAN_END), passage == null ? 0 : passage.length()),
                Boolean.TRUE.equals(entity.get(CollectionSpec.TRUNCATED)));
    }

    private static int intValue(Object value, int fallback) {
        return value instanceof Number n ? n.intValue() : fallback;
    }

    /** The record timestamps (epoch ms) of the first query's results, in result order; 0 where absent. */
    static long[] timestamps(SearchResp response) {
        if (response.getSearchResults().isEmpty()) {
            return new long[0];
        }
        List<SearchResp.SearchResult> results = response.getSearchResults().get(0);
        long[] out = new long[results.size()];
        for (int i = 0; i < out.length; i++) {
            Object ts = results.get(i).getEntity().get(CollectionSpec.SOURCE_TIMESTAMP);
            out[i] = ts instanceof Number n ? n.longValue() : 0L;
        }
        return out;
    }
}
