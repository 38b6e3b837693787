package dev.tier0.milvus;

import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq.CollectionSchema;
import io.milvus.v2.service.collection.request.DescribeCollectionReq;
import io.milvus.v2.service.collection.request.LoadCollectionReq;
import io.milvus.v2.service.collection.request.ReleaseCollectionReq;
import io.milvus.v2.service.collection.request.DropCollectionReq;
import io.milvus.v2.service.collection.request.HasCollectionReq;
import io.milvus.v2.service.index.request.DescribeIndexReq;
import io.milvus.v2.service.index.response.DescribeIndexResp;
import io.milvus.v2.service.vector.request.InsertReq;
import io.milvus.v2.service.utility.request.FlushReq;
import io.milvus.v2.service.vector.request.QueryReq;
import io.milvus.v2.service.vector.response.QueryResp;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Direct SDK access for tests and benchmarks: things tier0 itself never needs (flush, index details, id lookup). */
public final class RawClient implements AutoCloseable {
    private final MilvusClientV2 client;

    public RawClient(String uri) {
        client = new MilvusClientV2(ConnectConfig.builder().uri(uri).build());
    }

    /** Seals the in-memory rows into indexed segments, as a long-running server eventually does by itself. */
    public void flush(String collection) {
        client.flush(FlushReq.builder().collectionNames(List.of(collection)).build());
    }

    /**
     * Flush, then release and load: Milvus Lite builds segment indexes in the background after a flush, but
     * synchronously on load, so afterwards every search goes through the HNSW index rather than a brute-force scan.
     */
    public void flushAndIndex(String collection) {
        flush(collection);
        client.releaseCollection(ReleaseCollectionReq.builder().collectionName(collection).build());
        client.loadCollection(LoadCollectionReq.builder().collectionName(collection).timeout(1_800_000L).build());
    }

    /**
     * Flush, wait until the vector index covers every row, then release and load: a full Milvus server builds
     * indexes in the background (its index node), and load does not wait for them.
     */
    public void flushAwaitIndexAndLoad(String collection) throws InterruptedException {
        flush(collection);
        long deadline = System.nanoTime() + 30L * 60 * 1_000_000_000;
        while (true) {
            DescribeIndexResp.IndexDesc index = client.describeIndex(DescribeIndexReq.builder()
                    .collectionName(collection).fieldName("vector").build()).getIndexDescByFieldName("vector");
            if (index.getPendingIndexRows() == 0 && index.getIndexedRows() >= index.getTotalRows()) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("index not built in 30 min: " + index);
            }
            Thread.sleep(1_000);
        }
        client.releaseCollection(ReleaseCollectionReq.builder().collectionName(collection).build());
        client.loadCollection(LoadCollectionReq.builder().collectionName(collection).timeout(1_800_000L).build());
    }

    /**
     * Inserts memories through the SDK's own row conversion (checked equal to tier0's columns by RowColumnsTest). For Milvus 2.3.5 (PyPI milvus), which misroutes
     * upserted rows on a partition-key collection (milvus-io/milvus#30607): a tenant-filtered search never finds them.
     */
    public void insert(String collection, int dimension, List<StoredMemory> batch) {
        RowEncoder encoder = new RowEncoder(dimension, VectorType.FLOAT_VECTOR);
        List<JsonObject> rows = new ArrayList<>(batch.size());
        batch.forEach(m -> rows.add(SdkRows.of(encoder.encode(m), VectorType.FLOAT_VECTOR)));
        client.insert(InsertReq.builder().collectionName(collection).data(rows).build());
    }

    public void dropIfExists(String collection) {
        if (client.hasCollection(HasCollectionReq.builder().collectionName(collection).build())) {
            client.dropCollection(DropCollectionReq.builder().collectionName(collection).build());
        }
    }

    public String serverVersion() {
        return client.getServerVersion();
    }

    /** A collection created behind tier0's back, as the request says. */
    public void create(CreateCollectionReq request) {
        client.createCollection(request);
    }

    /** A collection created behind tier0's back, with no index (like a hand-made one). */
    public void create(String collection, CollectionSchema schema) {
        client.createCollection(CreateCollectionReq.builder().collectionName(collection).collectionSchema(schema)
                .build());
    }

    public List<String> fieldNames(String collection) {
        return client.describeCollection(DescribeCollectionReq.builder().collectionName(collection).build())
                .getFieldNames();
    }

    public Map<String, String> vectorIndexParams(String collection) {
        return client.describeIndex(DescribeIndexReq.builder().collectionName(collection).fieldName("vector").build())
                .getIndexDescByFieldName("vector").getExtraParams();
    }

    /** Which of these ids are stored (strong consistency). */
    public Set<String> existingIds(String collection, List<String> ids) {
        Set<String> found = new HashSet<>();
        for (int from = 0; from < ids.size(); from += 1_000) {
            List<String> part = ids.subList(from, Math.min(ids.size(), from + 1_000));
            // by expression: Milvus Lite answers QueryReq.ids with a status code this SDK cannot decode
            QueryResp resp = client.query(QueryReq.builder().collectionName(collection)
                    .filter(FilterExpressions.idIn(part)).limit(part.size())
                    .outputFields(List.of("id")).consistencyLevel(ConsistencyLevel.STRONG).build());
            resp.getQueryResults().forEach(r -> found.add((String) r.getEntity().get("id")));
        }
        return found;
    }

    @Override
    public void close() {
        client.close();
    }

    /**
     * Creates a collection of the shape tier0 created before keyword search: the same fields without the BM25
     * sparse field, its function and the analyzer on text (what an upgrade finds on disk).
     */
    public void createPreBm25Collection(String collection, int dimension) {
        CollectionSpec spec = new CollectionSpec(collection, dimension, VectorType.FLOAT_VECTOR);
        io.milvus.v2.service.collection.request.CreateCollectionReq.CollectionSchema schema = spec.schema();
        schema.setFieldSchemaList(new ArrayList<>(schema.getFieldSchemaList().stream()
                .filter(f -> !f.getName().equals(CollectionSpec.SPARSE))
                .peek(f -> {
                    if (f.getName().equals(CollectionSpec.TEXT)) {
                        f.setEnableAnalyzer(null);
                        f.setAnalyzerParams(null);
                    }
                }).toList()));
        schema.setFunctionList(new ArrayList<>());
        client.createCollection(io.milvus.v2.service.collection.request.CreateCollectionReq.builder()
                .collectionName(collection).collectionSchema(schema)
                .indexParams(List.of(spec.index(16, 200, true))).build());
    }
}
