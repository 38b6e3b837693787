package dev.tier0.milvus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.google.gson.JsonObject;
import io.milvus.common.utils.Float16Utils;
import io.milvus.grpc.DataType;
import io.milvus.param.ParamUtils;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RowEncoderTest {

    private static StoredMemory memory(float[] vector, String text) {
        return new StoredMemory("id-1", "acme", vector, text, Map.of("k", "v", "n", 3), "topic", 2, 40L, 1700L, "m");
    }

    @Test
    void floatRowCarriesEveryField() {
        RowEncoder.EncodedRow encoded = new RowEncoder(3, VectorType.FLOAT_VECTOR)
                .encode(memory(new float[] {0.5f, -0.25f, 1f}, "hello"));
        JsonObject row = encoded.row();
        assertThat(row.get("id").getAsString()).isEqualTo("id-1");
        assertThat(row.get("tenant").getAsString()).isEqualTo("acme");
        assertThat(row.get("vector").getAsJsonArray()).hasSize(3);
        assertThat(row.get("metadata").getAsJsonObject().get("k").getAsString()).isEqualTo("v");
        assertThat(row.get("source_partition").getAsInt()).isEqualTo(2);
        assertThat(row.get("source_offset").getAsLong()).isEqualTo(40L);
        assertThat(row.get("source_timestamp").getAsLong()).isEqualTo(1700L);
        assertThat(encoded.encodedBytes()).isGreaterThan(3 * 4 + "hello".length());
    }

    @Test
    void float16RowIsAcceptedByTheSdkAndDecodesToTheVector() {
        Random random = new Random(3);
        float[] vector = TestVectors.randomUnit(random, 64);
        JsonObject row = new RowEncoder(64, VectorType.FLOAT16_VECTOR).encode(memory(vector, "t")).row();
        // the SDK's own row validation/conversion for a Float16Vector field of dimension 64
        Object converted = ParamUtils.checkFieldValue("vector", DataType.Float16Vector, DataType.None, 64, 0, 0,
                false, null, row.get("vector"));
        assertThat(converted).isInstanceOf(ByteBuffer.class);
        ByteBuffer bytes = ((ByteBuffer) converted).order(ByteOrder.LITTLE_ENDIAN); // Milvus reads little-endian
        assertThat(bytes.remaining()).isEqualTo(128);
        List<Float> decoded = Float16Utils.fp16BufferToVector(bytes);
        for (int i = 0; i < vector.length; i++) {
            assertThat(decoded.get(i)).isCloseTo(vector[i], within(1e-3f));
        }
    }

    @Test
    void float16QueryVectorHasTwoBytesPerDimension() {
        ByteBuffer buffer = Float16Vectors.toFp16Buffer(new float[] {1f, -2f, 0.5f});
        assertThat(buffer.remaining()).isEqualTo(6);
        assertThat(buffer.get(0)).isEqualTo((byte) 0x00); // 1.0 is 0x3C00, little-endian on the wire
        assertThat(buffer.get(1)).isEqualTo((byte) 0x3C);
        assertThat(Float16Utils.fp16BufferToVector(buffer)).containsExactly(1f, -2f, 0.5f);
    }

    @Test
    void badRecordsAreReportedByIdBeforeAnythingIsSent() {
        RowEncoder encoder = new RowEncoder(3, VectorType.FLOAT_VECTOR);
        assertThatThrownBy(() -> encoder.encode(memory(new float[2], "t")))
                .isInstanceOf(PermanentStoreException.class).hasMessageContaining("'id-1'")
                .hasMessageContaining("dimension 2");
        assertThatThrownBy(() -> encoder.encode(memory(new float[] {1, Float.NaN, 0}, "t")))
                .isInstanceOf(PermanentStoreException.class).hasMessageContaining("non-finite");
        assertThatThrownBy(() -> encoder.encode(memory(new float[3], "é".repeat(40_000))))
                .isInstanceOf(PermanentStoreException.class).hasMessageContaining("text is 80000 bytes");
        StoredMemory noTenant = new StoredMemory("x", null, new float[3], "t", Map.of(), "", 0, 0, 0, "");
        assertThatThrownBy(() -> encoder.encode(noTenant)).isInstanceOf(PermanentStoreException.class)
                .hasMessageContaining("no tenant");
    }
}
