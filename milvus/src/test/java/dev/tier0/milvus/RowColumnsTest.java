package dev.tier0.milvus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.gson.JsonObject;
import io.milvus.common.utils.Float16Utils;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.UpsertRequest;
import io.milvus.v2.service.collection.response.DescribeCollectionResp;
import io.milvus.v2.service.vector.request.UpsertReq;
import io.milvus.v2.utils.DataUtils;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** tier0's own upsert columns against the SDK's conversion of the same memories written as the SDK's rows. */
class RowColumnsTest {
    private static final int DIMENSION = 16;

    /** Memories that vary every field: chunks, unicode, nested and escaped metadata, absent texts, extremes. */
    private static List<StoredMemory> memories() {
        Random random = new Random(7);
        List<StoredMemory> memories = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Map<String, Object> metadata = new LinkedHashMap<>();
            metadata.put("n", i);
            metadata.put("ratio", i / 7.0);
            metadata.put("tag", i % 2 == 0 ? "<b>&'=\"é💡" : "plain");
            metadata.put("nested", Map.of("list", List.of(1, "two", true), "flag", i % 3 == 0));
            String text = i % 5 == 0 ? null : "passage " + i + " — ünïcödé 💡";
            Chunk chunk = i % 4 == 0 ? Chunk.whole("mem-" + i, text)
                    : new Chunk("mem-" + i, i % 3, 3, i, i + 20, i % 3 == 0 ? "the whole memory " + i : "",
                    i % 6 == 1, "f".repeat(64));
            memories.add(new StoredMemory("mem-" + i + "#" + chunk.index(), "tenant-" + (i % 3),
                    TestVectors.randomUnit(random, DIMENSION), text, i == 3 ? null : metadata,
                    i % 7 == 0 ? null : "topic", i, Long.MAX_VALUE - i, 1_700_000_000_000L + i,
                    i % 9 == 0 ? null : "minilm", chunk));
        }
        return memories;
    }

    @ParameterizedTest
    @EnumSource(VectorType.class)
    void theColumnsAreTheSdksOwnConversionOfTheSameRows(VectorType vectorType) {
        RowEncoder encoder = new RowEncoder(DIMENSION, vectorType);
        List<RowEncoder.Row> rows = new ArrayList<>();
        List<JsonObject> sdkRows = new ArrayList<>();
        for (StoredMemory m : memories()) {
            RowEncoder.Row row = encoder.encode(m);
            rows.add(row);
            sdkRows.add(SdkRows.of(row, vectorType));
        }
        CollectionSpec spec = new CollectionSpec("c", DIMENSION, vectorType, true);
        DescribeCollectionResp collection = DescribeCollectionResp.builder().collectionName("c")
                .collectionSchema(spec.schema()).build();
        UpsertRequest sdk = new DataUtils.InsertBuilderWrapper().convertGrpcUpsertRequest(
                UpsertReq.builder().collectionName("c").data(sdkRows).build(), collection);

        Map<String, FieldData> expected = byName(sdk.getFieldsDataList());
        Map<String, FieldData> actual = byName(RowColumns.of(rows, DIMENSION, vectorType));
        assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet())
                .doesNotContain(CollectionSpec.SPARSE); // the server derives the BM25 vector itself
        assertThat(sdk.getNumRows()).isEqualTo(rows.size());
        for (String field : expected.keySet()) {
            assertThat(actual.get(field)).as(field).isEqualTo(expected.get(field));
        }
    }

    @Test
    void anFp16ColumnHoldsEachVectorInHalfPrecisionLittleEndian() {
        Random random = new Random(3);
        float[] first = TestVectors.randomUnit(random, 64);
        float[] second = TestVectors.randomUnit(random, 64);
        RowEncoder encoder = new RowEncoder(64, VectorType.FLOAT16_VECTOR);
        List<RowEncoder.Row> rows = List.of(encoder.encode(memory("a", first)), encoder.encode(memory("b", second)));
        FieldData vectors = byName(RowColumns.of(rows, 64, VectorType.FLOAT16_VECTOR)).get(CollectionSpec.VECTOR);
        assertThat(vectors.getVectors().getDim()).isEqualTo(64);
        ByteBuffer bytes = vectors.getVectors().getFloat16Vector().asReadOnlyByteBuffer()
                .order(ByteOrder.LITTLE_ENDIAN); // Milvus reads little-endian
        assertThat(bytes.remaining()).isEqualTo(2 * 64 * 2);
        List<Float> decoded = Float16Utils.fp16BufferToVector(bytes);
        for (int i = 0; i < 64; i++) {
            assertThat(decoded.get(i)).isCloseTo(first[i], within(1e-3f));
            assertThat(decoded.get(64 + i)).isCloseTo(second[i], within(1e-3f));
        }
    }

    private static StoredMemory memory(String id, float[] vector) {
        return new StoredMemory(id, "acme", vector, "t", Map.of(), "topic", 0, 0L, 0L, "m");
    }

    private static Map<String, FieldData> byName(List<FieldData> columns) {
        Map<String, FieldData> byName = new LinkedHashMap<>();
        columns.forEach(c -> byName.put(c.getFieldName(), c));
        return byName;
    }
}
