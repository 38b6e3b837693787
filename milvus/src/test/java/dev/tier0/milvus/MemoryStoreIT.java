package dev.tier0.milvus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.milvus.v2.common.DataType;
import io.milvus.v2.service.collection.request.AddFieldReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq.CollectionSchema;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Create, verify, upsert, search, delete against a real Milvus Lite server. */
class MemoryStoreIT {
    @TempDir
    static Path dir;
    static MilvusLite lite;

    @BeforeAll
    static void startServer() {
        lite = MilvusLite.start(dir.resolve("data"));
    }

    @AfterAll
    static void stopServer() {
        lite.close();
    }

    private static MilvusConfig config(String collection) {
        return MilvusConfig.builder().uri(lite.uri()).collection(collection).build();
    }

    @Test
    void createsThenVerifiesAnExistingCollection() {
        try (MemoryStore store = MemoryStore.connect(config("created"))) {
            assertThat(store.existingDimension()).isEmpty();
            store.ensureCollection(8);
            assertThat(store.existingDimension()).contains(8);
        }
        try (MemoryStore again = MemoryStore.connect(config("created"))) {
            again.ensureCollection(8);
            assertThat(again.count()).isZero();
        }
        try (RawClient raw = new RawClient(lite.uri())) {
            // Milvus Lite only takes HNSW build parameters from the JSON "params" entry: check they arrived
            assertThat(raw.vectorIndexParams("created")).containsEntry("M", "16")
                    .containsEntry("efConstruction", "200");
        }
    }

    @Test
    void noServerIsATransientError() throws Exception {
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort(); // closed again: nothing listens there
        }
        MilvusConfig nowhere = MilvusConfig.builder().uri("http://127.0.0.1:" + port).connectTimeoutMs(2_000)
                .rpcTimeoutMs(2_000).build();
        assertThatThrownBy(() -> MemoryStore.connect(nowhere)).isInstanceOf(TransientStoreException.class)
                .hasCauseInstanceOf(RuntimeException.class);
    }

    @Test
    void dimensionMismatchNamesTheField() {
        try (MemoryStore store = MemoryStore.connect(config("dims"))) {
            store.ensureCollection(8);
        }
        try (MemoryStore other = MemoryStore.connect(config("dims"))) {
            assertThatThrownBy(() -> other.ensureCollection(16))
                    .isInstanceOf(SchemaMismatchException.class)
                    .hasMessageContaining("'vector' has dimension 8, expected 16");
        }
    }

    @Test
    void aForeignSchemaIsReportedFieldByFieldAndLeftAlone() {
        try (RawClient raw = new RawClient(lite.uri())) {
            CollectionSchema foreign = CollectionSchema.builder().build();
            foreign.addField(AddFieldReq.builder().fieldName("id").dataType(DataType.Int64).isPrimaryKey(true)
                    .autoID(true).build());
            foreign.addField(AddFieldReq.builder().fieldName("vector").dataType(DataType.FloatVector).dimension(8)
                    .build());
            raw.create("foreign", foreign);
        }
        try (MemoryStore store = MemoryStore.connect(config("foreign"))) {
            assertThatThrownBy(() -> store.ensureCollection(8))
                    .isInstanceOf(SchemaMismatchException.class)
                    .hasMessageContaining("field 'id' has type Int64, expected VarChar")
                    .hasMessageContaining("field 'id' has autoID on")
                    .hasMessageContaining("field 'tenant' is missing")
                    .hasMessageContaining("never drops or alters");
            assertThat(store.existingDimension()).contains(8);
        }
        try (RawClient raw = new RawClient(lite.uri())) {
            assertThat(raw.fieldNames("foreign")).containsExactly("id", "vector");
        }
    }

    /** A collection made by the one-row-per-memory tier0 (before passages): reported, never written. */
    @Test
    void aCollectionOfThePreviousVersionIsReportedWithItsMissingFieldsAndTheMigration() {
        CollectionSchema previous = new CollectionSpec("previous", 8, VectorType.FLOAT_VECTOR).schema();
        previous.getFieldSchemaList().removeIf(f -> CollectionSpec.CHUNK_FIELDS.contains(f.getName()));
        previous.getField("id").setMaxLength(512);
        try (RawClient raw = new RawClient(lite.uri())) {
            raw.create("previous", previous);
        }
        try (MemoryStore store = MemoryStore.connect(config("previous"))) {
            assertThatThrownBy(() -> store.ensureCollection(8))
                    .isInstanceOf(SchemaMismatchException.class)
                    .hasMessageContaining("field 'memory_id' is missing")
                    .hasMessageContaining("field 'chunk_index' is missing")
                    .hasMessageContaining("field 'fingerprint' is missing")
                    .hasMessageContaining("field 'id' has max_length 512, expected at least 528")
                    .hasMessageContaining("point milvus.collection at a new collection and replay the ingest topic");
            assertThatThrownBy(() -> store.upsert(List.of(new StoredMemory("m", "t", new float[8], "text", Map.of(),
                    "topic", 0, 0, 0, "model")))).isInstanceOf(SchemaMismatchException.class);
        }
        try (RawClient raw = new RawClient(lite.uri())) {
            assertThat(raw.fieldNames("previous")).doesNotContain("memory_id");
        }
    }

    /** Milvus Lite cannot index an existing collection: a collection made without an index is refused by name. */
    @Test
    void aLiteCollectionWithoutAVectorIndexIsRefusedWithTheWayOut() {
        try (RawClient raw = new RawClient(lite.uri())) {
            raw.create("unindexed", new CollectionSpec("unindexed", 16, VectorType.FLOAT_VECTOR).schema());
        }
        try (MemoryStore store = MemoryStore.connect(config("unindexed"))) {
            assertThatThrownBy(() -> store.ensureCollection(16)).isInstanceOf(SchemaMismatchException.class)
                    .hasMessageContaining("'unindexed' has no vector index")
                    .hasMessageContaining("Milvus Lite cannot add one");
        }
    }

    /**
     * A collection someone gave an extra nullable field (which verification accepts): tier0's upserts send only its
     * own columns, and the server fills the extra one with null.
     */
    @Test
    void upsertsIntoACollectionWithAnExtraNullableField() {
        CollectionSpec spec = new CollectionSpec("extra", 16, VectorType.FLOAT_VECTOR);
        CollectionSchema schema = spec.schema();
        schema.addField(AddFieldReq.builder().fieldName("note").dataType(DataType.VarChar).maxLength(10)
                .isNullable(true).build());
        try (RawClient raw = new RawClient(lite.uri())) {
            // with its indexes: Milvus Lite creates indexes only with the collection (no CreateIndex call)
            raw.create(CreateCollectionReq.builder().collectionName("extra").collectionSchema(schema)
                    .indexParams(List.of(spec.index(16, 200, true), Bm25Field.index())).build());
        }
        Random random = new Random(4);
        try (MemoryStore store = MemoryStore.connect(config("extra"))) {
            store.ensureCollection(16);
            List<StoredMemory> batch = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                batch.add(TestVectors.memory("x" + i, "t", TestVectors.randomUnit(random, 16), Map.of("n", i)));
            }
            store.upsert(batch);
            assertThat(store.count()).isEqualTo(5);
            List<Hit> hits = store.search(new SearchQuery(batch.get(3).vector(), "t", 3, Map.of(), 0, null));
            assertThat(hits.get(0).id()).isEqualTo("x3");
            assertThat(hits.get(0).text()).isEqualTo("text of x3");
        }
    }

    @Test
    void upsertSearchDeleteRoundTrip() {
        Random random = new Random(1);
        try (MemoryStore store = MemoryStore.connect(config("roundtrip"))) {
            store.ensureCollection(16);
            List<StoredMemory> batch = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                batch.add(TestVectors.memory("m" + i, "t", TestVectors.randomUnit(random, 16),
                        Map.of("n", i, "kind", i % 2 == 0 ? "even" : "odd")));
            }
            store.upsert(batch);
            store.upsert(batch);
            assertThat(store.count()).isEqualTo(50);

            StoredMemory target = batch.get(7);
            List<Hit> hits = store.search(new SearchQuery(target.vector(), "t", 5, Map.of(), 0, null));
            assertThat(hits).isNotEmpty();
            assertThat(hits.get(0).id()).isEqualTo("m7");
            assertThat(hits.get(0).score()).isGreaterThan(0.99f);
            assertThat(hits.get(0).text()).isEqualTo("text of m7");
            assertThat(hits.get(0).metadata()).containsEntry("n", 7L).containsEntry("kind", "odd");

            List<Hit> evens = store.search(new SearchQuery(target.vector(), "t", 10, Map.of("kind", "even"), 0, null));
            assertThat(evens).hasSize(10).allSatisfy(h -> assertThat(h.metadata()).containsEntry("kind", "even"));

            store.delete(List.of("m7", "m8"));
            assertThat(store.count()).isEqualTo(48);
            List<Hit> after = store.search(new SearchQuery(target.vector(), "t", 20, Map.of(), 0, null));
            assertThat(after).extracting(Hit::id).doesNotContain("m7", "m8");
        }
    }
}
