package dev.tier0.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tier0.registry.RecordDecodingException.Kind;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ConfluentWireFormatTest {

  @Test
  void shouldWriteMagicByteThenBigEndianSchemaIdThenPayload() {
    byte[] framed = ConfluentWireFormat.frame(0x01020304, new byte[] {9, 8});

    assertThat(framed).containsExactly(0, 1, 2, 3, 4, 9, 8);
    ConfluentWireFormat.Framed read = ConfluentWireFormat.unframe(framed);
    assertThat(read.schemaId()).isEqualTo(0x01020304);
    assertThat(read.offset()).isEqualTo(5);
    assertThat(read.length()).isEqualTo(2);
  }

  @Test
  void shouldReadLargeSchemaIdsAsUnsignedBytes() {
    assertThat(ConfluentWireFormat.unframe(new byte[] {0, 0, 0, (byte) 0x80, (byte) 0xFF}).schemaId()).isEqualTo(0x80FF);
  }

  @Test
  void shouldRejectAWrongMagicByteAndHintAtPlainJson() {
    assertThatThrownBy(() -> ConfluentWireFormat.unframe("{\"text\":\"hi\"}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(RecordDecodingException.class)
        .hasMessageContaining("unknown magic byte 0x7B").hasMessageContaining("plain JSON")
        .satisfies(e -> assertThat(((RecordDecodingException) e).kind()).isEqualTo(Kind.MALFORMED));
    assertThatThrownBy(() -> ConfluentWireFormat.unframe(new byte[] {1, 0, 0, 0, 1, 2}))
        .hasMessageContaining("unknown magic byte 0x01").hasMessageNotContaining("JSON");
  }

  @Test
  void shouldRejectEmptyAndTruncatedHeaders() {
    assertThatThrownBy(() -> ConfluentWireFormat.unframe(new byte[0])).hasMessageContaining("empty value");
    assertThatThrownBy(() -> ConfluentWireFormat.unframe(new byte[] {0, 0, 1}))
        .hasMessageContaining("truncated header: 3 bytes");
  }
}
