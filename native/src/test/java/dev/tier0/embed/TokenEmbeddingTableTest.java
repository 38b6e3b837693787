package dev.tier0.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.platform.Fp16Conversions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The memory-mapped token-embedding table: little-endian rows, FP16/FP32 either way, chunks of whole rows. */
class TokenEmbeddingTableTest {
  private static final int ROWS = 11;
  private static final int DIM = 3;

  /** Row r, column c holds r + c / 4 (exact in FP16 and FP32), negated on odd rows. */
  private static float value(int r, int c) {
    return (r % 2 == 0 ? 1 : -1) * (r + c / 4f);
  }

  private static Path write(Path dir, ModelSpec.Dtype dtype) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(ROWS * DIM * dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
    for (int r = 0; r < ROWS; r++) {
      for (int c = 0; c < DIM; c++) {
        if (dtype == ModelSpec.Dtype.FLOAT32) {
          b.putFloat(value(r, c));
        } else {
          b.putShort(Fp16Conversions.floatToFp16(value(r, c)));
        }
      }
    }
    Path file = dir.resolve("t.bin");
    Files.write(file, b.array());
    return file;
  }

  @ParameterizedTest(name = "{0}, chunks of {1} bytes")
  @CsvSource({"FLOAT32, 1073741824", "FLOAT32, 24", "FLOAT32, 5", "FLOAT16, 1073741824", "FLOAT16, 12"})
  void gathersEveryRowInBothElementTypes(ModelSpec.Dtype dtype, long chunkBytes, @TempDir Path dir) throws Exception {
    ModelSpec.TokenEmbeddings spec = new ModelSpec.TokenEmbeddings("t.bin", dtype, ROWS, DIM);
    TokenEmbeddingTable table = TokenEmbeddingTable.map(write(dir, dtype), spec, chunkBytes);
    float[] floats = new float[DIM + 2];
    short[] halves = new short[DIM + 2];
    for (int r = 0; r < ROWS; r++) {
      table.copyRowAsFloat(r, floats, 2);
      table.copyRowAsHalf(r, halves, 1);
      for (int c = 0; c < DIM; c++) {
        assertThat(floats[2 + c]).as("row %d col %d", r, c).isEqualTo(value(r, c));
        assertThat(HalfFloat.toFloat(halves[1 + c])).as("row %d col %d as half", r, c).isEqualTo(value(r, c));
      }
    }
  }

  @ParameterizedTest
  @CsvSource({"-1", "11"})
  void anIdOutsideTheTableIsNamed(long id, @TempDir Path dir) throws Exception {
    ModelSpec.TokenEmbeddings spec = new ModelSpec.TokenEmbeddings("t.bin", ModelSpec.Dtype.FLOAT32, ROWS, DIM);
    TokenEmbeddingTable table = TokenEmbeddingTable.map(write(dir, ModelSpec.Dtype.FLOAT32), spec);
    assertThatThrownBy(() -> table.copyRowAsFloat(id, new float[DIM], 0)).isInstanceOf(EmbeddingException.class)
        .hasMessageContaining("token id " + id + " is outside the token-embedding table 't.bin' of 11 rows");
  }
}
