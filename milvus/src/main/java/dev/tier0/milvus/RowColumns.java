package dev.tier0.milvus;

import com.google.protobuf.ByteString;
import io.milvus.grpc.BoolArray;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FloatArray;
import io.milvus.grpc.IntArray;
import io.milvus.grpc.JSONArray;
import io.milvus.grpc.LongArray;
import io.milvus.grpc.ScalarField;
import io.milvus.grpc.StringArray;
import io.milvus.grpc.VectorField;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Lays checked rows out as the columns of one Milvus insert or upsert request (the gRPC {@code FieldData} messages
 * of milvus.proto), one column per field of {@link CollectionSpec} that tier0 writes: every field but the BM25
 * vector, which the server derives from {@code text}.
 *
 * <p>Why tier0 builds the columns itself: {@code MilvusClientV2.upsert} takes rows only as gson {@code JsonObject}s
 * and converts them back into these same columns, parsing each vector into boxed floats and building a map of
 * error messages per field per row: ~91 us a 384-dim row and ~409 us a 2,560-dim one on this project's 2-core
 * machine, against ~9 and ~16 us here (checks included; {@code bench/run milvus -Dbench.parts=convert}), paid on
 * the ingest thread for every record. {@code RowColumnsTest} checks the result against the SDK's own conversion of
 * the same rows ({@link SdkRows}), field by field.
 */
final class RowColumns {
    private RowColumns() {
    }

    /**
     * @param rows       checked rows, in request order
     * @param dimension  the vector field's dimension (every row's vector has it: {@link RowEncoder} checked)
     * @param vectorType FLOAT_VECTOR (4-byte floats) or FLOAT16_VECTOR (IEEE half precision, little-endian bytes)
     * @return one {@code FieldData} per written field, each holding {@code rows.size()} values
     */
    static List<FieldData> of(List<RowEncoder.Row> rows, int dimension, VectorType vectorType) {
        StringArray.Builder id = StringArray.newBuilder();
        StringArray.Builder tenant = StringArray.newBuilder();
        StringArray.Builder text = StringArray.newBuilder();
        JSONArray.Builder metadata = JSONArray.newBuilder();
        StringArray.Builder topic = StringArray.newBuilder();
        IntArray.Builder partition = IntArray.newBuilder();
        LongArray.Builder offset = LongArray.newBuilder();
        LongArray.Builder timestamp = LongArray.newBuilder();
        StringArray.Builder model = StringArray.newBuilder();
        StringArray.Builder memoryId = StringArray.newBuilder();
        IntArray.Builder chunkIndex = IntArray.newBuilder();
        IntArray.Builder chunkCount = IntArray.newBuilder();
        IntArray.Builder spanStart = IntArray.newBuilder();
        IntArray.Builder spanEnd = IntArray.newBuilder();
        StringArray.Builder memoryText = StringArray.newBuilder();
        BoolArray.Builder truncated = BoolArray.newBuilder();
        StringArray.Builder fingerprint = StringArray.newBuilder();
        Vectors vectors = new Vectors(rows.size(), dimension, vectorType);
        for (RowEncoder.Row row : rows) {
            StoredMemory m = row.memory();
            Chunk c = m.chunk();
            id.addData(m.id());
            tenant.addData(m.tenant());
            vectors.add(m.vector());
            text.addData(row.text());
            metadata.addData(ByteString.copyFrom(row.metadataJson(), StandardCharsets.UTF_8));
            topic.addData(row.topic());
            partition.addData(m.partition());
            offset.addData(m.offset());
            timestamp.addData(m.timestamp());
            model.addData(row.model());
            memoryId.addData(c.memoryId());
            chunkIndex.addData(c.index());
            chunkCount.addData(c.count());
            spanStart.addData(c.start());
            spanEnd.addData(c.end());
            memoryText.addData(c.memoryText());
            truncated.addData(c.truncated());
            fingerprint.addData(c.fingerprint());
        }
        List<FieldData> columns = new ArrayList<>(18);
        columns.add(scalar(CollectionSpec.ID, DataType.VarChar, ScalarField.newBuilder().setStringData(id)));
        columns.add(scalar(CollectionSpec.TENANT, DataType.VarChar, ScalarField.newBuilder().setStringData(tenant)));
        columns.add(vectors.column());
        columns.add(scalar(CollectionSpec.TEXT, DataType.VarChar, ScalarField.newBuilder().setStringData(text)));
        columns.add(scalar(CollectionSpec.METADATA, DataType.JSON, ScalarField.newBuilder().setJsonData(metadata)));
        columns.add(scalar(CollectionSpec.SOURCE_TOPIC, DataType.VarChar,
                ScalarField.newBuilder().setStringData(topic)));
        columns.add(scalar(CollectionSpec.SOURCE_PARTITION, DataType.Int32,
                ScalarField.newBuilder().setIntData(partition)));
        columns.add(scalar(CollectionSpec.SOURCE_OFFSET, DataType.Int64, ScalarField.newBuilder().setLongData(offset)));
        columns.add(scalar(CollectionSpec.SOURCE_TIMESTAMP, DataType.Int64,
                ScalarField.newBuilder().setLongData(timestamp)));
        columns.add(scalar(CollectionSpec.MODEL, DataType.VarChar, ScalarField.newBuilder().setStringData(model)));
        columns.add(scalar(CollectionSpec.MEMORY_ID, DataType.VarChar,
                ScalarField.newBuilder().setStringData(memoryId)));
        columns.add(scalar(CollectionSpec.CHUNK_INDEX, DataType.Int32, ScalarField.newBuilder().setIntData(chunkIndex)));
        columns.add(scalar(CollectionSpec.CHUNK_COUNT, DataType.Int32, ScalarField.newBuilder().setIntData(chunkCount)));
        columns.add(scalar(CollectionSpec.SPAN_START, DataType.Int32, ScalarField.newBuilder().setIntData(spanStart)));
        columns.add(scalar(CollectionSpec.SPAN_END, DataType.Int32, ScalarField.newBuilder().setIntData(spanEnd)));
        columns.add(scalar(CollectionSpec.MEMORY_TEXT, DataType.VarChar,
                ScalarField.newBuilder().setStringData(memoryText)));
        columns.add(scalar(CollectionSpec.TRUNCATED, DataType.Bool, ScalarField.newBuilder().setBoolData(truncated)));
        columns.add(scalar(CollectionSpec.FINGERPRINT, DataType.VarChar,
                ScalarField.newBuilder().setStringData(fingerprint)));
        return columns;
    }

    private static FieldData scalar(String name, DataType type, ScalarField.Builder values) {
        return FieldData.newBuilder().setFieldName(name).setType(type).setScalars(values).build();
    }

    /** The vector column: floats in row order, or every row's FP16 bytes one after another. */
    private static final class Vectors {
        private final int dimension;
        private final VectorType type;
        private final FloatArray.Builder floats;
        private final byte[] halves;
        private int halvesAt;

        Vectors(int rows, int dimension, VectorType type) {
            this.dimension = dimension;
            this.type = type;
            boolean fp16 = type == VectorType.FLOAT16_VECTOR;
            this.floats = fp16 ? null : FloatArray.newBuilder();
            this.halves = fp16 ? new byte[rows * dimension * 2] : null;
        }

        void add(float[] vector) {
            if (floats != null) {
                for (float f : vector) {
                    floats.addData(f); // a primitive list: no boxing
                }
                return;
            }
            ByteBuffer fp16 = Float16Vectors.toFp16Buffer(vector); // the SDK's conversion, as queries use
            int bytes = fp16.remaining();
            fp16.get(halves, halvesAt, bytes);
            halvesAt += bytes;
        }

        FieldData column() {
            VectorField.Builder field = VectorField.newBuilder().setDim(dimension);
            if (floats != null) {
                field.setFloatVector(floats);
            } else {
                field.setFloat16Vector(ByteString.copyFrom(halves, 0, halvesAt));
            }
            DataType dataType = type == VectorType.FLOAT16_VECTOR ? DataType.Float16Vector : DataType.FloatVector;
            return FieldData.newBuilder().setFieldName(CollectionSpec.VECTOR).setType(dataType).setVectors(field)
                    .build();
        }
    }
}
