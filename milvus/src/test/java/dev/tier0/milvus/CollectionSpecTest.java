package dev.tier0.milvus;

import static org.assertj.core.api.Assertions.assertThat;

import io.milvus.v2.common.DataType;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.service.collection.request.CreateCollectionReq.CollectionSchema;
import io.milvus.v2.service.collection.request.CreateCollectionReq.FieldSchema;
import org.junit.jupiter.api.Test;

class CollectionSpecTest {
    private final CollectionSpec spec = new CollectionSpec("c", 384, VectorType.FLOAT_VECTOR);

    @Test
    void schemaFollowsTheDesignContract() {
        CollectionSchema schema = spec.schema();
        assertThat(schema.getFieldSchemaList()).extracting(FieldSchema::getName).containsExactlyInAnyOrder("id",
                "tenant", "vector", "text", "metadata", "source_topic", "source_partition", "source_offset",
                "source_timestamp", "model", "text_sparse", "memory_id", "chunk_index", "chunk_count", "span_start",
                "span_end", "memory_text", "truncated", "fingerprint");
        FieldSchema id = schema.getField("id");
        assertThat(id.getDataType()).isEqualTo(DataType.VarChar);
        assertThat(id.getMaxLength()).as("memory id (512) + '#' + chunk index").isEqualTo(528);
        assertThat(schema.getField("memory_id").getMaxLength()).isEqualTo(512);
        assertThat(schema.getField("chunk_index").getDataType()).isEqualTo(DataType.Int32);
        assertThat(schema.getField("truncated").getDataType()).isEqualTo(DataType.Bool);
        assertThat(schema.getField("memory_text").getMaxLength()).isEqualTo(65535);
        assertThat(schema.getField("fingerprint").getMaxLength()).isEqualTo(64);
        assertThat(id.getIsPrimaryKey()).isTrue();
        assertThat(id.getAutoID()).isFalse();
        assertThat(schema.getField("tenant").getIsPartitionKey()).isTrue();
        assertThat(schema.getField("vector").getDataType()).isEqualTo(DataType.FloatVector);
        assertThat(schema.getField("vector").getDimension()).isEqualTo(384);
        assertThat(schema.getField("text").getMaxLength()).isEqualTo(65535);
        assertThat(schema.getField("metadata").getDataType()).isEqualTo(DataType.JSON);
        assertThat(schema.getField("source_partition").getDataType()).isEqualTo(DataType.Int32);
        assertThat(schema.getField("source_offset").getDataType()).isEqualTo(DataType.Int64);
    }

    @Test
    void textIsAnalyzedAndABm25FunctionFillsTheSparseField() {
        CollectionSchema schema = spec.schema();
        assertThat(schema.getField("text").getEnableAnalyzer()).isTrue();
        assertThat(schema.getField("text").getAnalyzerParams()).containsEntry("type", "standard");
        assertThat(schema.getField("text_sparse").getDataType()).isEqualTo(DataType.SparseFloatVector);
        assertThat(schema.getFunctionList()).singleElement().satisfies(f -> {
            assertThat(f.getFunctionType()).isEqualTo(io.milvus.common.clientenum.FunctionType.BM25);
            assertThat(f.getInputFieldNames()).containsExactly("text");
            assertThat(f.getOutputFieldNames()).containsExactly("text_sparse");
        });
        assertThat(Bm25Field.present(schema)).isTrue();
    }

    @Test
    void bm25IsCreatedOnlyWhereTheServerRunsIt() {
        assertThat(Bm25Field.serverSupports("milvus_lite 3.2.2")).isTrue();
        assertThat(Bm25Field.serverSupports("v2.5.14")).isTrue();
        assertThat(Bm25Field.serverSupports("v2.6.0")).isTrue();
        assertThat(Bm25Field.serverSupports("v2.4.9")).isFalse();
        assertThat(Bm25Field.serverSupports("v2.3.5-lite")).isFalse();
        CollectionSchema old = new CollectionSpec("c", 8, VectorType.FLOAT_VECTOR, false).schema();
        assertThat(old.getField("text_sparse")).isNull();
        assertThat(old.getField("text").getEnableAnalyzer()).isNull();
    }

    @Test
    void aCollectionWithoutTheBm25FieldStillVerifiesForDenseSearch() {
        CollectionSchema old = spec.schema();
        old.getFieldSchemaList().remove(old.getField("text_sparse"));
        old.setFunctionList(new java.util.ArrayList<>());
        assertThat(spec.differences(old)).isEmpty();
        assertThat(Bm25Field.present(old)).isFalse();
    }

    @Test
    void float16IsAnOption() {
        CollectionSpec f16 = new CollectionSpec("c", 8, VectorType.FLOAT16_VECTOR);
        assertThat(f16.schema().getField("vector").getDataType()).isEqualTo(DataType.Float16Vector);
        assertThat(spec.differences(f16.schema())).containsExactly("field 'vector' has type Float16Vector,"
                + " expected FloatVector", "field 'vector' has dimension 8, expected 384");
    }

    @Test
    void aCollectionOfTheOneRowPerMemoryVersionIsReportedWithEveryMissingChunkField() {
        CollectionSchema previous = spec.schema();
        previous.getFieldSchemaList().removeIf(f -> CollectionSpec.CHUNK_FIELDS.contains(f.getName()));
        previous.getField("id").setMaxLength(512);
        assertThat(spec.differences(previous)).containsExactlyInAnyOrder(
                "field 'id' has max_length 512, expected at least 528",
                "field 'memory_id' is missing (expected VarChar)",
                "field 'chunk_index' is missing (expected Int32)",
                "field 'chunk_count' is missing (expected Int32)",
                "field 'span_start' is missing (expected Int32)",
                "field 'span_end' is missing (expected Int32)",
                "field 'memory_text' is missing (expected VarChar)",
                "field 'truncated' is missing (expected Bool)",
                "field 'fingerprint' is missing (expected VarChar)");
    }

    @Test
    void indexIsHnswCosineWithTheConfiguredParameters() {
        IndexParam index = spec.index(16, 200, false);
        assertThat(index.getIndexType()).isEqualTo(IndexParam.IndexType.HNSW);
        assertThat(index.getMetricType()).isEqualTo(IndexParam.MetricType.COSINE);
        assertThat(index.getExtraParams()).containsEntry("M", 16).containsEntry("efConstruction", 200)
                .doesNotContainKey("params");
        assertThat(spec.index(16, 200, true).getExtraParams())
                .containsEntry("params", "{\"M\": 16, \"efConstruction\": 200}");
    }

    @Test
    void itsOwnSchemaMatches() {
        assertThat(spec.differences(spec.schema())).isEmpty();
    }

    @Test
    void everyDifferenceIsNamed() {
        CollectionSchema other = spec.schema();
        other.getField("text").setDataType(DataType.Int64);
        other.getField("tenant").setMaxLength(16);
        other.getFieldSchemaList().remove(other.getField("model"));
        other.getField("id").setIsPrimaryKey(false);
        other.getField("source_offset").setIsPrimaryKey(true);
        FieldSchema extra = FieldSchema.builder().name("required_extra").dataType(DataType.Int64).build();
        other.getFieldSchemaList().add(extra);
        assertThat(spec.differences(other)).containsExactlyInAnyOrder(
                "field 'text' has type Int64, expected VarChar",
                "field 'tenant' has max_length 16, expected at least 256",
                "field 'model' is missing (expected VarChar)",
                "field 'id' is not the primary key",
                "primary key is 'source_offset' (Int64), expected 'id' (VarChar)",
                "unexpected required field 'required_extra' (Int64); tier0 cannot fill it");
    }

    @Test
    void nullableExtraFieldsAreAccepted() {
        CollectionSchema other = spec.schema();
        other.getFieldSchemaList().add(FieldSchema.builder().name("note").dataType(DataType.VarChar)
                .maxLength(10).isNullable(true).build());
        assertThat(spec.differences(other)).isEmpty();
    }
}
