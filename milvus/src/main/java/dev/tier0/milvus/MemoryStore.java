package dev.tier0.milvus;

import com.google.gson.JsonObject;
import io.milvus.grpc.FieldData;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.client.globalcluster.GlobalClusterUtils;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.service.collection.request.CreateCollectionReq.CollectionSchema;
import io.milvus.v2.service.collection.request.DescribeCollectionReq;
import io.milvus.v2.service.collection.request.GetLoadStateReq;
import io.milvus.v2.service.collection.request.HasCollectionReq;
import io.milvus.v2.service.collection.request.LoadCollectionReq;
import io.milvus.v2.service.index.request.CreateIndexReq;
import io.milvus.v2.service.index.request.DescribeIndexReq;
import io.milvus.v2.service.index.response.DescribeIndexResp;
import io.milvus.v2.service.vector.request.DeleteReq;
import io.milvus.v2.service.vector.request.QueryReq;
import io.milvus.v2.service.vector.request.UpsertReq;
import io.milvus.v2.service.vector.request.data.BaseVector;
import io.milvus.v2.service.vector.request.data.Float16Vec;
import io.milvus.v2.service.vector.request.data.FloatVec;
import io.milvus.v2.service.vector.response.QueryResp;
import io.milvus.v2.service.vector.response.SearchResp;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * tier0's memories in one Milvus collection: create or verify it, upsert, delete and search within a tenant.
 * Thread-safe. Every failure is a {@link TransientStoreException} (retry later) or a
 * {@link PermanentStoreException}; the SDK itself never retries (see {@link MilvusClients#noRetries()}).
 */
public final class MemoryStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MemoryStore.class);
    static final int MAX_TOP_K = 16_384;
    private static final int DELETE_IDS_PER_REQUEST = 1_000;
    /**
     * Milvus Lite must not see concurrent writes to one collection: one lock per (server, database, collection).
     * It covers this JVM only; the server tier0 launches serializes writers from every process as well
     * ({@link MilvusLite}'s launch script), which a Lite started some other way does not.
     */
    private static final Map<String, ReentrantLock> LITE_WRITE_LOCKS = new ConcurrentHashMap<>();

    private final MilvusConfig config;
    private final MilvusClientV2 client;
    /** Where upserts go as columns; null for a global-cluster endpoint (the SDK's client routes those). */
    private final UpsertChannel upserts;
    private final boolean milvusLite;
    private final boolean serverHasBm25;
    private final ReentrantLock writeLock;
    private volatile CollectionSpec spec;
    private volatile RowEncoder encoder;
    private volatile boolean keywordCapable;
    /** What a search reads when recency re-scores it: the hit fields and the record timestamp. */
    private static final List<String> RECENCY_OUTPUT_FIELDS = java.util.stream.Stream.concat(
            CollectionSpec.OUTPUT_FIELDS.stream(), java.util.stream.Stream.of(CollectionSpec.SOURCE_TIMESTAMP)).toList();

    private MemoryStore(MilvusConfig config, MilvusClientV2 client, String serverVersion) {
        this.config = config;
        this.client = client;
        this.milvusLite = serverVersion != null && serverVersion.startsWith("milvus_lite");
        this.serverHasBm25 = Bm25Field.serverSupports(serverVersion);
        this.writeLock = milvusLite
                ? LITE_WRITE_LOCKS.computeIfAbsent(config.uri() + "|" + config.database() + "|" + config.collection(),
                        k -> new ReentrantLock())
                : null;
        log.info("connected to Milvus {} at {} (collection {})", serverVersion, config.uri(), config.collection());
        // last, so that nothing after it can throw and leak its channel; a global-cluster endpoint is left to the
        // SDK's client, which routes writes to the primary cluster
        this.upserts = GlobalClusterUtils.isGlobalEndpoint(config.uri()) ? null
                : new UpsertChannel(MilvusClients.connectConfig(config), config.rpcTimeoutMs());
    }

    public static MemoryStore connect(MilvusConfig config) {
        MilvusClientV2 client = MilvusClients.connect(config);
        try {
            String version = client.getServerVersion();
            return new MemoryStore(config, client, version);
        } catch (RuntimeException e) {
            client.close();
            throw ErrorClassifier.classify("get the server version of " + config.uri(), e);
        }
    }

    public MilvusConfig config() {
        return config;
    }

    /**
     * Creates the collection (schema, HNSW/COSINE index, loaded) if it is missing; otherwise verifies it and throws
     * {@link SchemaMismatchException} naming every difference. Never drops or alters existing data; a missing index
     * is created and an unloaded collection is loaded.
     */
    public void ensureCollection(int dimension) {
        CollectionSpec wanted = new CollectionSpec(config.collection(), dimension, config.vectorType(), serverHasBm25);
        IndexParam index = wanted.index(config.indexM(), config.indexEfConstruction(), milvusLite);
        call("create collection " + config.collection(), () -> {
            if (!hasCollection()) {
                try {
                    client.createCollection(wanted.createRequest(config.database(), index));
                    log.info("created collection {} ({} dims, {}, HNSW M={} efConstruction={} COSINE)",
                            config.collection(), dimension, config.vectorType(), config.indexM(),
                            config.indexEfConstruction());
                } catch (RuntimeException e) {
                    if (!hasCollection()) {
                        throw e;
                    }
                    // another process created it in the meantime: verify theirs below
                }
            }
            CollectionSchema existing = describeSchema();
            verify(wanted, existing);
            keywordCapable = Bm25Field.present(existing);
            if (!keywordCapable) {
                log.warn("collection {} has no BM25 field '{}' (created by an earlier tier0, or on a server older"
                        + " than Milvus 2.5): dense search only; re-ingest into a new collection for keyword and"
                        + " hybrid search", config.collection(), CollectionSpec.SPARSE);
            }
            ensureIndex(index);
            loadIfReleased();
            return null;
        });
        this.spec = wanted;
        this.encoder = new RowEncoder(dimension, config.vectorType());
    }

    /** The vector dimension of the existing collection, or empty when there is no collection yet. */
    public Optional<Integer> existingDimension() {
        return call("describe collection " + config.collection(), () ->
                hasCollection() ? Optional.ofNullable(CollectionSpec.vectorDimension(describeSchema())) : Optional.empty());
    }

    /**
     * Inserts or replaces memories by id, sent as columns ({@link RowColumns}). Requests are split so none nears the
     * server's message limit; ids are deterministic, so replaying a batch after a crash changes nothing. A failure
     * may leave earlier chunks written, which is harmless for the same reason.
     */
    public void upsert(List<StoredMemory> batch) {
        if (batch.isEmpty()) {
            return;
        }
        RowEncoder rows = encoder();
        List<RowEncoder.Row> encoded = new ArrayList<>(batch.size());
        for (StoredMemory m : batch) {
            encoded.add(rows.encode(m));
        }
        for (List<RowEncoder.Row> chunk : UpsertChunker.chunk(encoded, config.maxRequestBytes())) {
            send(chunk, rows);
        }
    }

    /** One upsert request: as columns on the upsert channel, or as the SDK's rows where there is none. */
    private void send(List<RowEncoder.Row> chunk, RowEncoder rows) {
        String operation = "upsert " + chunk.size() + " memories";
        if (upserts == null) {
            List<JsonObject> json = new ArrayList<>(chunk.size());
            chunk.forEach(row -> json.add(SdkRows.of(row, rows.vectorType())));
            UpsertReq request = UpsertReq.builder().databaseName(config.database())
                    .collectionName(config.collection()).data(json).build();
            write(operation, () -> client.upsert(request));
            return;
        }
        List<FieldData> columns = call("lay out " + operation, () ->
                RowColumns.of(chunk, rows.dimension(), rows.vectorType()));
        write(operation, () -> {
            upserts.upsert(config.database(), config.collection(), columns, chunk.size());
            return null;
        });
    }

    /**
     * Removes the rows with these row ids (primary keys), in the order given, 1,000 per request; ids not present
     * are no error. By primary key, so the server needs no scan.
     */
    public void delete(Collection<String> ids) {
        List<String> all = new ArrayList<>(ids);
        for (int from = 0; from < all.size(); from += DELETE_IDS_PER_REQUEST) {
            List<String> part = all.subList(from, Math.min(all.size(), from + DELETE_IDS_PER_REQUEST));
            DeleteReq request = DeleteReq.builder().databaseName(config.database())
                    .collectionName(config.collection()).filter(FilterExpressions.idIn(part)).build();
            write("delete " + part.size() + " memories", () -> client.delete(request));
        }
    }

    /**
     * Removes every row (every chunk) of these memories; ids not present are no error. A scalar filter on memory_id:
     * a scan on Milvus Lite, so the writer uses it only where it cannot name the rows (see IngestWriter).
     */
    public void deleteMemories(Collection<String> memoryIds) {
        List<String> all = new ArrayList<>(memoryIds);
        for (int from = 0; from < all.size(); from += DELETE_IDS_PER_REQUEST) {
            List<String> part = all.subList(from, Math.min(all.size(), from + DELETE_IDS_PER_REQUEST));
            DeleteReq request = DeleteReq.builder().databaseName(config.database())
                    .collectionName(config.collection()).filter(FilterExpressions.memoryIdIn(part)).build();
            write("delete " + part.size() + " memories", () -> client.delete(request));
        }
    }

    /** Nearest memories of one tenant, best first; the tenant condition is always part of the filter. */
    public List<Hit> search(SearchQuery query) {
        return searchMemories(query).hits();
    }

    /**
     * A search in the query's mode ({@link SearchOptions#mode()}; null = hybrid where the collection has the BM25
     * field, else dense), with the typed filter and recency of its options. Throws
     * {@link UnsupportedModeException} for keyword or hybrid on a collection without the BM25 field, and
     * {@link InvalidFilterException} for a filter that cannot be expressed safely.
     */
    public SearchResult searchMemories(SearchQuery query) {
        encoder(); // learns the dimension of an existing collection when ensureCollection was not called
        SearchOptions options = query.options();
        SearchMode mode = ModeSearch.resolve(options.mode(), keywordCapable, query.minScore(), config.collection());
        if (mode != SearchMode.KEYWORD && (query.vector() == null || query.vector().length != spec.dimension())) {
            throw new PermanentStoreException("query vector has dimension "
                    + (query.vector() == null ? "null" : query.vector().length) + ", the collection has "
                    + spec.dimension());
        }
        if (mode != SearchMode.DENSE && (options.text() == null || options.text().isBlank())) {
            throw new PermanentStoreException("mode '" + mode.wireName() + "' needs the query text");
        }
        if (query.topK() < 1 || query.topK() > MAX_TOP_K) {
            throw new PermanentStoreException("topK must be between 1 and " + MAX_TOP_K + ", got " + query.topK());
        }
        String filter = FilterExpressions.tenantAnd(query.tenant(), combined(options.filter(), query.filter()));
        SearchOptions.Recency recency = options.recency();
        int limit = recency == null ? query.topK() : RecencyRescorer.candidates(query.topK(), MAX_TOP_K);
        int ef = Math.max(query.ef() > 0 ? query.ef() : config.searchEf(), limit);
        List<String> fields = recency == null ? CollectionSpec.OUTPUT_FIELDS : RECENCY_OUTPUT_FIELDS;
        ModeSearch builder = new ModeSearch(config.database(), config.collection());
        String expr = filter;
        SearchResp response = switch (mode) {
            case DENSE -> readLoaded("search", () -> client.search(
                    builder.dense(queryVector(query.vector()), expr, limit, ef, fields)));
            case KEYWORD -> readLoaded("keyword search", () -> client.search(
                    builder.keyword(options.text(), expr, limit, fields)));
            case HYBRID -> readLoaded("hybrid search", () -> client.hybridSearch(
                    builder.hybrid(queryVector(query.vector()), options.text(), expr, limit, ef, options.fusion(),
                            fields)));
        };
        List<Hit> hits = ModeSearch.hits(response, mode);
        if (recency != null) {
            hits = RecencyRescorer.rescore(hits, ModeSearch.timestamps(response), recency, query.topK());
        }
        if (query.minScore() != null && mode == SearchMode.DENSE) {
            hits = hits.stream().filter(h -> h.score() >= query.minScore()).toList();
        }
        return new SearchResult(withMemoryTexts(hits, query.tenant()), mode);
    }

    /** The typed filter AND the string equalities of the first request version. */
    private static MetadataFilter combined(MetadataFilter typed, Map<String, String> equalities) {
        if (equalities.isEmpty()) {
            return typed;
        }
        List<MetadataFilter.Condition> all = new ArrayList<>(typed.conditions());
        all.addAll(MetadataFilter.ofStrings(equalities).conditions());
        return new MetadataFilter(all, typed.time());
    }

    /** Whether the collection has the BM25 field (keyword and hybrid modes); known after ensureCollection. */
    public boolean keywordCapable() {
        encoder();
        return keywordCapable;
    }

    /**
     * A hit whose best passage is not chunk 0 of a memory of several chunks gets the memory's whole text from chunk
     * 0 (where it is kept once): one query by primary key for all such hits.
     */
    private List<Hit> withMemoryTexts(List<Hit> hits, String tenant) {
        List<String> wanted = new ArrayList<>();
        for (Hit h : hits) {
            if (h.chunkCount() > 1 && h.chunkIndex() != 0) {
                wanted.add(Chunk.rowId(h.id(), 0));
            }
        }
        if (wanted.isEmpty()) {
            return hits;
        }
        // the primary key alone: Milvus Lite answers an id term by lookup but an id term and a tenant condition by
        // reading every row, so the tenant is checked here instead, as the condition would
        QueryReq request = QueryReq.builder().databaseName(config.database()).collectionName(config.collection())
                .filter(FilterExpressions.idIn(wanted))
                .outputFields(List.of(CollectionSpec.MEMORY_ID, CollectionSpec.MEMORY_TEXT, CollectionSpec.TENANT))
                .consistencyLevel(ConsistencyLevel.SESSION).build();
        QueryResp response = readLoaded("read memory texts", () -> client.query(request));
        Map<String, String> texts = new java.util.HashMap<>();
        for (QueryResp.QueryResult r : response.getQueryResults()) {
            if (tenant.equals(r.getEntity().get(CollectionSpec.TENANT))) {
                texts.put((String) r.getEntity().get(CollectionSpec.MEMORY_ID),
                        (String) r.getEntity().get(CollectionSpec.MEMORY_TEXT));
            }
        }
        List<Hit> out = new ArrayList<>(hits.size());
        for (Hit h : hits) {
            String text = texts.get(h.id());
            out.add(text == null || text.isEmpty() ? h : new Hit(h.id(), h.score(), text, h.metadata(), h.passage(),
                    h.chunkIndex(), h.chunkCount(), h.spanStart(), h.spanEnd(), h.truncated()));
        }
        return out;
    }

    private static int intValue(Object value, int fallback) {
        return value instanceof Number n ? n.intValue() : fallback;
    }

    /** Number of stored memories, read with strong consistency (for tests and the CLI, not the hot path). */
    public long count() {
        QueryReq request = QueryReq.builder().databaseName(config.database()).collectionName(config.collection())
                .filter("").outputFields(List.of("count(*)")).consistencyLevel(ConsistencyLevel.STRONG).build();
        QueryResp response = readLoaded("count", () -> client.query(request));
        Object value = response.getQueryResults().get(0).getEntity().get("count(*)");
        return ((Number) value).longValue();
    }

    /**
     * The stored rows with these row ids ({@code memoryId#index}, see {@link Chunk#rowId}): index, count,
     * truncation, fingerprint and vector, in no particular order; ids not stored are left out. Read by primary key
     * (an {@code id in [...]} term on the primary key, which the server answers from its primary-key index; a
     * scalar filter on memory_id is a scan on Milvus Lite, whose cost grows with the collection). Session
     * consistency: this client's own writes are seen. One query per 1,000 ids.
     */
    public List<StoredChunk> storedRows(Collection<String> rowIds) {
        List<String> all = new ArrayList<>(rowIds);
        List<StoredChunk> out = new ArrayList<>();
        for (int from = 0; from < all.size(); from += DELETE_IDS_PER_REQUEST) {
            List<String> part = all.subList(from, Math.min(all.size(), from + DELETE_IDS_PER_REQUEST));
            // the id term is built here rather than with QueryReq.ids, which makes the SDK describe the collection
            // on every call to learn the primary key's name; the expression it would send is the same
            QueryReq request = QueryReq.builder().databaseName(config.database())
                    .collectionName(config.collection()).filter(FilterExpressions.idIn(part))
                    .outputFields(List.of(CollectionSpec.MEMORY_ID, CollectionSpec.CHUNK_INDEX,
                            CollectionSpec.CHUNK_COUNT, CollectionSpec.TRUNCATED, CollectionSpec.FINGERPRINT,
                            CollectionSpec.VECTOR))
                    .consistencyLevel(ConsistencyLevel.SESSION).build();
            QueryResp response = readLoaded("read stored passages", () -> client.query(request));
            for (QueryResp.QueryResult r : response.getQueryResults()) {
                Map<String, Object> e = r.getEntity();
                out.add(new StoredChunk((String) e.get(CollectionSpec.MEMORY_ID),
                        intValue(e.get(CollectionSpec.CHUNK_INDEX), -1), intValue(e.get(CollectionSpec.CHUNK_COUNT), 0),
                        Boolean.TRUE.equals(e.get(CollectionSpec.TRUNCATED)),
                        (String) e.get(CollectionSpec.FINGERPRINT), floats(e.get(CollectionSpec.VECTOR))));
            }
        }
        return out;
    }

    /** A FLOAT_VECTOR value as the SDK returns it (a list of floats); null for anything else. */
    private static float[] floats(Object value) {
        if (!(value instanceof List<?> list)) {
            return null;
        }
        float[] v = new float[list.size()];
        for (int i = 0; i < v.length; i++) {
            if (!(list.get(i) instanceof Number n)) {
                return null;
            }
            v[i] = n.floatValue();
        }
        return v;
    }

    /** Rows (chunks) stored for one memory, read with strong consistency (for tests and tools). */
    public long countChunks(String memoryId) {
        QueryReq request = QueryReq.builder().databaseName(config.database()).collectionName(config.collection())
                .filter(FilterExpressions.memoryIdIn(List.of(memoryId))).outputFields(List.of("count(*)"))
                .consistencyLevel(ConsistencyLevel.STRONG).build();
        QueryResp response = readLoaded("count chunks", () -> client.query(request));
        return ((Number) response.getQueryResults().get(0).getEntity().get("count(*)")).longValue();
    }

    @Override
    public void close() {
        try {
            if (upserts != null) {
                upserts.close();
            }
        } finally {
            client.close();
        }
    }

    BaseVector queryVector(float[] v) {
        if (config.vectorType() == VectorType.FLOAT16_VECTOR) {
            return new Float16Vec(Float16Vectors.toFp16Buffer(v));
        }
        return new FloatVec(v);
    }

    /** The encoder for the collection; a store that skipped ensureCollection adopts the existing collection. */
    private RowEncoder encoder() {
        RowEncoder e = encoder;
        if (e == null) {
            int dimension = existingDimension().orElseThrow(() -> new PermanentStoreException(
                    "collection " + config.collection() + " does not exist; call ensureCollection first"));
            ensureCollection(dimension);
            e = encoder;
        }
        return e;
    }

    private boolean hasCollection() {
        return client.hasCollection(HasCollectionReq.builder().databaseName(config.database())
                .collectionName(config.collection()).build());
    }

    private CollectionSchema describeSchema() {
        return client.describeCollection(DescribeCollectionReq.builder().databaseName(config.database())
                .collectionName(config.collection()).build()).getCollectionSchema();
    }

    private void verify(CollectionSpec wanted, CollectionSchema existing) {
        List<String> problems = wanted.differences(existing);
        if (!problems.isEmpty()) {
            throw new SchemaMismatchException("collection '" + config.collection() + "' does not match tier0's schema: "
                    + String.join("; ", problems) + ". " + migrationHint(problems) + "Use another collection name, or"
                    + " migrate it yourself; tier0 never drops or alters existing data.");
        }
    }

    /** A collection made before passages (issue 12) lacks the chunk fields: name the way out. */
    private static String migrationHint(List<String> problems) {
        boolean older = problems.stream().anyMatch(p -> CollectionSpec.CHUNK_FIELDS.stream()
                .anyMatch(f -> p.startsWith("field '" + f + "' is missing")));
        return older ? "It was made by a tier0 version that stored one row per memory: point milvus.collection at a"
                + " new collection and replay the ingest topic into it (README: 'Migrating a collection'). " : "";
    }

    private void ensureIndex(IndexParam index) {
        DescribeIndexResp.IndexDesc existing = describeVectorIndex();
        if (existing == null && milvusLite) {
            // Lite answers CreateIndex with UNIMPLEMENTED: it builds indexes only as it creates a collection
            throw new SchemaMismatchException("collection '" + config.collection() + "' has no vector index on '"
                    + CollectionSpec.VECTOR + "', and Milvus Lite cannot add one to an existing collection (it builds"
                    + " indexes only when it creates one). Use another collection name (tier0 creates it with its"
                    + " index), or create this one with an HNSW/COSINE index on '" + CollectionSpec.VECTOR + "'.");
        }
        if (existing == null) {
            log.info("collection {} has no vector index; creating HNSW/COSINE", config.collection());
            client.createIndex(CreateIndexReq.builder().databaseName(config.database())
                    .collectionName(config.collection()).indexParams(List.of(index)).build());
            return;
        }
        if (existing.getMetricType() != IndexParam.MetricType.COSINE) {
            throw new SchemaMismatchException("collection '" + config.collection() + "': the vector index uses metric "
                    + existing.getMetricType() + ", expected COSINE (scores would not be cosine similarities)");
        }
        if (existing.getIndexType() != IndexParam.IndexType.HNSW) {
            log.warn("collection {}: vector index is {}, not HNSW; the ef search parameter may be ignored",
                    config.collection(), existing.getIndexType());
        }
    }

    private DescribeIndexResp.IndexDesc describeVectorIndex() {
        try {
            DescribeIndexResp resp = client.describeIndex(DescribeIndexReq.builder().databaseName(config.database())
                    .collectionName(config.collection()).fieldName(CollectionSpec.VECTOR).build());
            return resp.getIndexDescByFieldName(CollectionSpec.VECTOR);
        } catch (RuntimeException e) {
            if (ErrorClassifier.isTransient(e)) {
                throw e;
            }
            return null; // "index not found" is how the server says there is none
        }
    }


    /**
     * A read that needs the collection loaded. Milvus Lite forgets the load state when it restarts (and anyone may
     * release a collection on Milvus), so a permanent-looking failure on a released collection loads it and tries
     * once more. Transient failures go straight to the caller.
     */
    private <T> T readLoaded(String operation, Supplier<T> action) {
        try {
            return action.get();
        } catch (RuntimeException e) {
            if (ErrorClassifier.isTransient(e)) {
                throw ErrorClassifier.classify(operation + " (collection " + config.collection() + ")", e);
            }
            boolean reloaded;
            try {
                reloaded = loadIfReleased();
            } catch (RuntimeException loadFailure) {
                e.addSuppressed(loadFailure);
                reloaded = false;
            }
            if (!reloaded) {
                throw ErrorClassifier.classify(operation + " (collection " + config.collection() + ")", e);
            }
            log.info("collection {} was not loaded (server restarted or collection released); loaded it again",
                    config.collection());
            return call(operation, action);
        }
    }

    private boolean loadIfReleased() {
        boolean loaded = client.getLoadState(GetLoadStateReq.builder().databaseName(config.database())
                .collectionName(config.collection()).build());
        if (loaded) {
            return false;
        }
        client.loadCollection(LoadCollectionReq.builder().databaseName(config.database())
                .collectionName(config.collection()).build());
        return true;
    }

    private <T> T write(String operation, Supplier<T> action) {
        if (writeLock == null) {
            return call(operation, action);
        }
        writeLock.lock();
        try {
            return call(operation, action);
        } finally {
            writeLock.unlock();
        }
    }

    private <T> T call(String operation, Supplier<T> action) {
        try {
            return action.get();
        } catch (RuntimeException e) {
            throw ErrorClassifier.classify(operation + " (collection " + config.collection() + ")", e);
        }
    }
}
