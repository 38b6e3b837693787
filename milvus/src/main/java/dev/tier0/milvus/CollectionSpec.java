package dev.tier0.milvus;

import io.milvus.v2.common.DataType;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.service.collection.request.AddFieldReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq.CollectionSchema;
import io.milvus.v2.service.collection.request.CreateCollectionReq.FieldSchema;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The collection schema of DESIGN.md: how it is created, and how an existing collection is checked against it. */
public final class CollectionSpec {
    static final String ID = "id";
    static final String TENANT = "tenant";
    static final String VECTOR = "vector";
    static final String TEXT = "text";
    static final String METADATA = "metadata";
    static final String SOURCE_TOPIC = "source_topic";
    static final String SOURCE_PARTITION = "source_partition";
    static final String SOURCE_OFFSET = "source_offset";
    static final String SOURCE_TIMESTAMP = "source_timestamp";
    static final String MODEL = "model";
    // one row per passage (issue 12): the memory it belongs to, where it sits, the whole text on chunk 0
    static final String MEMORY_ID = "memory_id";
    static final String CHUNK_INDEX = "chunk_index";
    static final String CHUNK_COUNT = "chunk_count";
    static final String SPAN_START = "span_start";
    static final String SPAN_END = "span_end";
    static final String MEMORY_TEXT = "memory_text";
    static final String TRUNCATED = "truncated";
    static final String FINGERPRINT = "fingerprint";

    /** VARCHAR caps of the collection, in UTF-8 bytes: the server refuses a longer value. */
    public static final int ID_MAX_LENGTH = 512;
    public static final int TENANT_MAX_LENGTH = 256;
    public static final int TEXT_MAX_LENGTH = 65535;
    public static final int SHORT_MAX_LENGTH = 256;
    /** Row ids are {@code memoryId#chunkIndex}: the memory id's cap plus room for the suffix. */
    public static final int ROW_ID_MAX_LENGTH = ID_MAX_LENGTH + 16;
    public static final int FINGERPRINT_MAX_LENGTH = 64;

    /** Scalar fields: name -> (type, max length for VARCHAR, or 0). */
    private record Field(String name, DataType type, int maxLength) {
    }

    private static final List<Field> SCALARS = List.of(
            new Field(ID, DataType.VarChar, ROW_ID_MAX_LENGTH),
            new Field(TENANT, DataType.VarChar, TENANT_MAX_LENGTH),
            new Field(TEXT, DataType.VarChar, TEXT_MAX_LENGTH),
            new Field(METADATA, DataType.JSON, 0),
            new Field(SOURCE_TOPIC, DataType.VarChar, SHORT_MAX_LENGTH),
            new Field(SOURCE_PARTITION, DataType.Int32, 0),
            new Field(SOURCE_OFFSET, DataType.Int64, 0),
            new Field(SOURCE_TIMESTAMP, DataType.Int64, 0),
            new Field(MODEL, DataType.VarChar, SHORT_MAX_LENGTH),
            new Field(MEMORY_ID, DataType.VarChar, ID_MAX_LENGTH),
            new Field(CHUNK_INDEX, DataType.Int32, 0),
            new Field(CHUNK_COUNT, DataType.Int32, 0),
            new Field(SPAN_START, DataType.Int32, 0),
            new Field(SPAN_END, DataType.Int32, 0),
            new Field(MEMORY_TEXT, DataType.VarChar, TEXT_MAX_LENGTH),
            new Field(TRUNCATED, DataType.Bool, 0),
            new Field(FINGERPRINT, DataType.VarChar, FINGERPRINT_MAX_LENGTH));

    /** The fields a collection of the one-row-per-memory version (before issue 12) lacks. */
    static final List<String> CHUNK_FIELDS = List.of(MEMORY_ID, CHUNK_INDEX, CHUNK_COUNT, SPAN_START, SPAN_END,
            MEMORY_TEXT, TRUNCATED, FINGERPRINT);

    static final List<String> OUTPUT_FIELDS = List.of(ID, TEXT, METADATA, MEMORY_ID, CHUNK_INDEX, CHUNK_COUNT,
            SPAN_START, SPAN_END, MEMORY_TEXT, TRUNCATED);

    private final String collection;
    private final int dimension;
    private final VectorType vectorType;

    CollectionSpec(String collection, int dimension, VectorType vectorType) {
        if (dimension <= 0) {
            throw new IllegalArgumentException("dimension must be > 0, got " + dimension);
        }
        this.collection = collection;
        this.dimension = dimension;
        this.vectorType = vectorType;
    }

    int dimension() {
        return dimension;
    }

    DataType vectorDataType() {
        return vectorType == VectorType.FLOAT16_VECTOR ? DataType.Float16Vector : DataType.FloatVector;
    }

    CollectionSchema schema() {
        CollectionSchema schema = CollectionSchema.builder().enableDynamicField(false).build();
        for (Field f : SCALARS) {
            AddFieldReq.AddFieldReqBuilder<?> b = AddFieldReq.builder().fieldName(f.name()).dataType(f.type());
            if (f.maxLength() > 0) {
                b.maxLength(f.maxLength());
            }
            if (f.name().equals(ID)) {
                b.isPrimaryKey(true).autoID(false);
            }
            if (f.name().equals(TENANT)) {
                b.isPartitionKey(true);
            }
            schema.addField(b.build());
        }
        schema.addField(AddFieldReq.builder().fieldName(VECTOR).dataType(vectorDataType()).dimension(dimension).build());
        return schema;
    }

    /**
     * HNSW with cosine. The SDK sends M and efConstruction as separate keys; Milvus Lite only reads them from a
     * JSON "params" entry (the pymilvus wire form), so for Lite that entry is added too.
     */
    IndexParam index(int m, int efConstruction, boolean forMilvusLite) {
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("M", m);
        extra.put("efConstruction", efConstruction);
        if (forMilvusLite) {
            extra.put("params", "{\"M\": " + m + ", \"efConstruction\": " + efConstruction + "}");
        }
        return IndexParam.builder().fieldName(VECTOR).indexName(VECTOR)
                .indexType(IndexParam.IndexType.HNSW).metricType(IndexParam.MetricType.COSINE)
                .extraParams(extra).build();
    }

    CreateCollectionReq createRequest(String database, IndexParam index) {
        return CreateCollectionReq.builder().databaseName(database).collectionName(collection)
                .collectionSchema(schema()).indexParams(List.of(index))
                .consistencyLevel(io.milvus.v2.common.ConsistencyLevel.BOUNDED)
                .description("tier0 memories").build();
    }

    /** Every difference between an existing schema and this spec, each naming the field; empty when it matches. */
    List<String> differences(CollectionSchema existing) {
        List<String> problems = new ArrayList<>();
        Map<String, FieldSchema> byName = new LinkedHashMap<>();
        for (FieldSchema f : existing.getFieldSchemaList()) {
            byName.put(f.getName(), f);
        }
        for (Field expected : SCALARS) {
            FieldSchema actual = byName.remove(expected.name());
            if (actual == null) {
                problems.add("field '" + expected.name() + "' is missing (expected " + expected.type() + ")");
                continue;
            }
            if (actual.getDataType() != expected.type()) {
                problems.add("field '" + expected.name() + "' has type " + actual.getDataType()
                        + ", expected " + expected.type());
            } else if (expected.maxLength() > 0 && actual.getMaxLength() != null
                    && actual.getMaxLength() < expected.maxLength()) {
                problems.add("field '" + expected.name() + "' has max_length " + actual.getMaxLength()
                        + ", expected at least " + expected.maxLength());
            }
        }
        FieldSchema id = existing.getField(ID);
        if (id != null && !Boolean.TRUE.equals(id.getIsPrimaryKey())) {
            problems.add("field 'id' is not the primary key");
        }
        if (id != null && Boolean.TRUE.equals(id.getAutoID())) {
            problems.add("field 'id' has autoID on; tier0 supplies deterministic ids");
        }
        for (FieldSchema f : existing.getFieldSchemaList()) {
            if (Boolean.TRUE.equals(f.getIsPrimaryKey()) && !f.getName().equals(ID)) {
                problems.add("primary key is '" + f.getName() + "' (" + f.getDataType() + "), expected 'id' (VarChar)");
            }
        }
        FieldSchema vector = byName.remove(VECTOR);
        if (vector == null) {
            problems.add("field 'vector' is missing (expected " + vectorDataType() + " of dimension " + dimension + ")");
        } else {
            if (vector.getDataType() != vectorDataType()) {
                problems.add("field 'vector' has type " + vector.getDataType() + ", expected " + vectorDataType());
            }
            if (vector.getDimension() == null || vector.getDimension() != dimension) {
                problems.add("field 'vector' has dimension " + vector.getDimension() + ", expected " + dimension);
            }
        }
        for (FieldSchema extra : byName.values()) {
            if (!Boolean.TRUE.equals(extra.getIsNullable()) && extra.getDefaultValue() == null) {
                problems.add("unexpected required field '" + extra.getName() + "' (" + extra.getDataType()
                        + "); tier0 cannot fill it");
            }
        }
        return problems;
    }

    /** The dimension of the vector field of an existing schema, if it has one. */
    static Integer vectorDimension(CollectionSchema existing) {
        FieldSchema vector = existing.getField(VECTOR);
        return vector == null ? null : vector.getDimension();
    }
}
