package dev.tier0.milvus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonParser;
import io.milvus.common.utils.Float16Utils;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RowEncoderTest {

    private static StoredMemory memory(float[] vector, String text) {
        return new StoredMemory("id-1", "acme", vector, text, Map.of("k", "v", "n", 3), "topic", 2, 40L, 1700L, "m");
    }

    @Test
    void aCheckedRowReadsAbsentTextsAsEmptyAndCarriesItsMetadataAsJson() {
        StoredMemory noTexts = new StoredMemory("id-1", "acme", new float[] {0.5f, -0.25f, 1f}, null,
                Map.of("k", "v", "n", 3), null, 2, 40L, 1700L, null);
        RowEncoder.Row row = new RowEncoder(3, VectorType.FLOAT_VECTOR).encode(noTexts);
        assertThat(row.memory()).isSameAs(noTexts);
        assertThat(List.of(row.text(), row.topic(), row.model())).containsOnly("");
        assertThat(JsonParser.parseString(row.metadataJson()).getAsJsonObject().get("n").getAsInt()).isEqualTo(3);
        RowEncoder.Row texts = new RowEncoder(3, VectorType.FLOAT_VECTOR)
                .encode(memory(new float[] {0.5f, -0.25f, 1f}, "hello"));
        assertThat(texts.text()).isEqualTo("hello");
        assertThat(texts.encodedBytes()).isGreaterThan(3 * 4 + "hello".length());
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
