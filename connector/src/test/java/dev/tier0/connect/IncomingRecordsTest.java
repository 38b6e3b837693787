package dev.tier0.connect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tier0.memory.IncomingRecord;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

class IncomingRecordsTest {
  private final IncomingRecords incoming = new IncomingRecords(List.of("trace"));

  private static SinkRecord record(Schema keySchema, Object key, Schema valueSchema, Object value) {
    return new SinkRecord("notes", 3, keySchema, key, valueSchema, value, 42L, 1_700_000_000_000L,
        org.apache.kafka.common.record.TimestampType.CREATE_TIME);
  }

  @Test
  void shouldTurnANestedStructIntoPlainMapsListsAndBytes() {
    Schema author = SchemaBuilder.struct().name("Author").field("name", Schema.STRING_SCHEMA).build();
    Schema schema = SchemaBuilder.struct().name("Note")
        .field("text", Schema.STRING_SCHEMA)
        .field("author", author)
        .field("tags", SchemaBuilder.array(Schema.STRING_SCHEMA).build())
        .field("scores", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.FLOAT64_SCHEMA).build())
        .field("raw", Schema.OPTIONAL_BYTES_SCHEMA)
        .field("price", Decimal.schema(2))
        .field("at", Timestamp.SCHEMA)
        .field("missing", Schema.OPTIONAL_STRING_SCHEMA)
        .build();
    Struct value = new Struct(schema)
        .put("text", "buy milk")
        .put("author", new Struct(author).put("name", "ana"))
        .put("tags", List.of("home", "food"))
        .put("scores", Map.of("urgency", 0.5))
        .put("raw", new byte[] {1, 2})
        .put("price", new BigDecimal("1.25"))
        .put("at", new Date(0));

    IncomingRecord result = incoming.from(record(Schema.STRING_SCHEMA, "n-1", schema, value));

    @SuppressWarnings("unchecked")
    Map<String, Object> fields = (Map<String, Object>) result.value();
    assertThat(fields).containsOnlyKeys("text", "author", "tags", "scores", "raw", "price", "at", "missing");
    assertThat(fields.get("text")).isEqualTo("buy milk");
    assertThat(fields.get("author")).isEqualTo(Map.of("name", "ana"));
    assertThat(fields.get("tags")).isEqualTo(List.of("home", "food"));
    assertThat(fields.get("scores")).isEqualTo(Map.of("urgency", 0.5));
    assertThat((byte[]) fields.get("raw")).containsExactly(1, 2);
    assertThat(fields.get("price")).isEqualTo(new BigDecimal("1.25"));
    assertThat(fields.get("at")).isEqualTo("1970-01-01T00:00:00Z");
    assertThat(fields.get("missing")).isNull();
    assertThat(result.key()).isEqualTo("n-1");
    assertThat(result.coordinates()).isEqualTo("notes-3-42");
    assertThat(result.timestamp()).isEqualTo(1_700_000_000_000L);
  }

  @Test
  void shouldPassStringsAndSchemalessMapsThroughAndCopyByteBuffers() {
    assertThat(incoming.from(record(null, "k", null, "plain text")).value()).isEqualTo("plain text");
    assertThat(incoming.from(record(null, "k", null, Map.of("text", "hi"))).value()).isEqualTo(Map.of("text", "hi"));
    ByteBuffer buffer = ByteBuffer.wrap("héllo".getBytes(StandardCharsets.UTF_8));
    assertThat((byte[]) incoming.from(record(null, "k", Schema.BYTES_SCHEMA, buffer)).value())
        .isEqualTo("héllo".getBytes(StandardCharsets.UTF_8));
    assertThat(incoming.from(record(null, "k", null, 17)).value()).as("left for the mapper to reject").isEqualTo(17);
    assertThat(incoming.from(record(null, "k", null, null)).value()).isNull();
  }

  @Test
  void shouldUseTheOnlyFieldOfAStructKeyAsTheKey() {
    Schema keySchema = SchemaBuilder.struct().field("id", Schema.INT64_SCHEMA).build();
    assertThat(incoming.from(record(keySchema, new Struct(keySchema).put("id", 7L), null, "t")).key()).isEqualTo(7L);
    assertThat(incoming.from(record(null, Map.of("id", "abc"), null, "t")).key()).isEqualTo("abc");
    Map<String, Object> twoFields = Map.of("a", 1, "b", 2);
    assertThat(incoming.from(record(null, twoFields, null, "t")).key()).isEqualTo(twoFields);
  }

  @Test
  void shouldCopyOnlyAllowListedHeadersAsBytes() {
    SinkRecord record = record(null, "k", null, "t");
    record.headers().addString("trace", "abc-123").addString("secret", "x");
    assertThat(incoming.from(record).headers()).containsOnlyKeys("trace");
    assertThat(new String(incoming.from(record).headers().get("trace"), StandardCharsets.UTF_8)).isEqualTo("abc-123");
  }

  @Test
  void shouldKeepTheOriginalCoordinatesWhenATransformRenamesTheTopic() {
    SinkRecord original = record(null, "k", null, "t");
    SinkRecord renamed = original.newRecord("renamed", 0, null, "k", null, "t", original.timestamp());
    IncomingRecord result = incoming.from(renamed);
    assertThat(result.topic()).isEqualTo("notes");
    assertThat(result.partition()).isEqualTo(3);
    assertThat(result.offset()).isEqualTo(42L);
  }
}
