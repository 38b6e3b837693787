package dev.tier0.streams.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class IngestValueDeserializerTest {
  private final IngestValueDeserializer deserializer = new IngestValueDeserializer();

  private IngestValue read(String s) {
    return deserializer.deserialize("memories", s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void shouldReadPlainTextAsAString() {
    assertThat(read("buy milk").value()).isEqualTo("buy milk");
    assertThat(read("[not an object]").value()).isEqualTo("[not an object]");
  }

  @Test
  void shouldReadAJsonObjectAsAMapAndKeepTheRawBytes() {
    IngestValue value = read(" {\"text\": \"t\", \"n\": 1, \"tags\": [\"a\"]}");
    assertThat(value.value()).isEqualTo(Map.of("text", "t", "n", 1, "tags", java.util.List.of("a")));
    assertThat(new String(value.raw(), StandardCharsets.UTF_8)).startsWith(" {\"text\"");
  }

  @Test
  void shouldPassTombstonesThrough() {
    assertThat(deserializer.deserialize("memories", null)).isNull();
  }

  @Test
  void shouldThrowASerializationExceptionForBytesThatCannotBeDecoded() {
    assertThatThrownBy(() -> deserializer.deserialize("memories", new byte[] {(byte) 0xFF, (byte) 0xFE}))
        .isInstanceOf(SerializationException.class).hasMessageContaining("UTF-8");
    assertThatThrownBy(() -> read("{\"text\": \"unterminated"))
        .isInstanceOf(SerializationException.class).hasMessageContaining("JSON");
    assertThatThrownBy(() -> read("{\"text\": \"a\", \"text\": \"b\"}"))
        .isInstanceOf(SerializationException.class);
  }
}
