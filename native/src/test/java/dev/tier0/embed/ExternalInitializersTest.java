package dev.tier0.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The protobuf reader of external-data initializers, on hand-encoded ONNX models (field numbers of onnx.proto). */
class ExternalInitializersTest {

  /** A protobuf message under construction. */
  private static final class Msg {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Msg varint(int field, long value) {
      tag(field, 0);
      raw(value);
      return this;
    }

    Msg bytes(int field, byte[] value) {
      tag(field, 2);
      raw(value.length);
      out.writeBytes(value);
      return this;
    }

    Msg string(int field, String value) {
      return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    Msg message(int field, Msg value) {
      return bytes(field, value.out.toByteArray());
    }

    Msg fixed32(int field) {
      tag(field, 5);
      out.writeBytes(new byte[4]);
      return this;
    }

    private void tag(int field, int wire) {
      raw((long) field << 3 | wire);
    }

    private void raw(long v) {
      while ((v & ~0x7FL) != 0) {
        out.write((int) (v & 0x7F) | 0x80);
        v >>>= 7;
      }
      out.write((int) v);
    }

    byte[] toBytes() {
      return out.toByteArray();
    }
  }

  private static Msg entry(String key, String value) {
    return new Msg().string(1, key).string(2, value);
  }

  private static Path write(Path dir, Msg model) throws Exception {
    Path file = dir.resolve("g.onnx");
    Files.write(file, model.toBytes());
    return file;
  }

  @Test
  void listsExternalInitializersWithTheirLocationOffsetLengthTypeAndShape(@TempDir Path dir) throws Exception {
    Msg external = new Msg().varint(1, 384).varint(1, 1536).varint(2, 10).string(8, "layer.0.w")
        .message(13, entry("location", "weights.bin")).message(13, entry("offset", "4096"))
        .message(13, entry("length", "1179648")).varint(14, 1);
    Msg packedDims = new Msg().bytes(1, new byte[] {2, 3}).varint(2, 1).string(8, "packed")
        .message(13, entry("location", "w.bin")).varint(14, 1); // no offset, no length
    Msg inline = new Msg().varint(1, 4).varint(2, 1).string(8, "small").bytes(9, new byte[16]);
    Msg graph = new Msg().message(1, new Msg().string(1, "node")).message(5, external).fixed32(99)
        .message(5, inline).message(5, packedDims);
    Msg model = new Msg().varint(1, 8).string(2, "tier0-export").message(7, graph);

    List<ExternalInitializers.Tensor> tensors = ExternalInitializers.read(write(dir, model));

    assertThat(tensors).hasSize(2);
    ExternalInitializers.Tensor w = tensors.get(0);
    assertThat(w.name()).isEqualTo("layer.0.w");
    assertThat(w.dataType()).isEqualTo(10);
    assertThat(w.dims()).containsExactly(384, 1536);
    assertThat(w.location()).isEqualTo("weights.bin");
    assertThat(w.offset()).isEqualTo(4096);
    assertThat(w.length()).isEqualTo(1179648);
    ExternalInitializers.Tensor p = tensors.get(1);
    assertThat(p.name()).isEqualTo("packed");
    assertThat(p.dims()).containsExactly(2, 3);
    assertThat(p.offset()).isZero();
    assertThat(p.length()).isEqualTo(-1);
  }

  @Test
  void aTruncatedFileIsAnErrorNamingIt(@TempDir Path dir) throws Exception {
    Msg graph = new Msg().message(5, new Msg().string(8, "w").varint(14, 1));
    byte[] whole = new Msg().message(7, graph).toBytes();
    Path file = dir.resolve("cut.onnx");
    Files.write(file, Arrays.copyOf(whole, whole.length - 2));

    assertThatThrownBy(() -> ExternalInitializers.read(file))
        .isInstanceOf(EmbeddingException.class)
        .hasMessageContaining("not a well-formed ONNX graph")
        .hasMessageContaining("cut.onnx");
  }
}
