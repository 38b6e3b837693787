package dev.tier0.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tier0.registry.RecordDecodingException.Kind;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.util.Utf8;
import org.junit.jupiter.api.Test;

class AvroMapsTest {
  static final Schema NOTE = new Schema.Parser().parse("""
      {"type":"record","name":"Note","namespace":"t","fields":[
        {"name":"text","type":"string"},
        {"name":"id","type":["null","string"],"default":null},
        {"name":"count","type":"int"},
        {"name":"big","type":"long"},
        {"name":"ratio","type":"double"},
        {"name":"score","type":"float"},
        {"name":"ok","type":"boolean"},
        {"name":"kind","type":{"type":"enum","name":"Kind","symbols":["A","B"]}},
        {"name":"tags","type":{"type":"array","items":"string"}},
        {"name":"attrs","type":{"type":"map","values":["null","long","string"]}},
        {"name":"raw","type":"bytes"},
        {"name":"hash","type":{"type":"fixed","name":"Hash","size":2}},
        {"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":6,"scale":2}},
        {"name":"payload","type":{"type":"record","name":"Payload","fields":[{"name":"body","type":"string"}]}},
        {"name":"extra","type":"string","default":"none"}
      ]}""");

  @Test
  void shouldTurnEveryAvroTypeIntoThePlainValueAJsonParserWouldGive() {
    GenericRecord record = new GenericRecordBuilder(NOTE)
        .set("text", new Utf8("hello")).set("id", "n1").set("count", 3).set("big", 1L << 40).set("ratio", 0.5)
        .set("score", 1.5f).set("ok", true).set("kind", new GenericData.EnumSymbol(NOTE.getField("kind").schema(), "B"))
        .set("tags", List.of(new Utf8("x"), new Utf8("y")))
        .set("attrs", Map.of(new Utf8("n"), 7L))
        .set("raw", java.nio.ByteBuffer.wrap(new byte[] {1, 2}))
        .set("hash", new GenericData.Fixed(NOTE.getField("hash").schema(), new byte[] {3, 4}))
        .set("price", java.nio.ByteBuffer.wrap(new BigDecimal("12.34").unscaledValue().toByteArray()))
        .set("payload", new GenericRecordBuilder(NOTE.getField("payload").schema()).set("body", "deep").build())
        .set("extra", "e").build();

    // through the binary encoding, as a consumer sees it
    Object decoded = AvroBinary.decode(NOTE, frameless(record), 0, frameless(record).length);
    @SuppressWarnings("unchecked")
    Map<String, Object> plain = (Map<String, Object>) AvroMaps.toPlain(decoded, NOTE);

    assertThat(plain).containsExactly(
        Map.entry("text", "hello"), Map.entry("id", "n1"), Map.entry("count", 3), Map.entry("big", 1L << 40),
        Map.entry("ratio", 0.5), Map.entry("score", 1.5f), Map.entry("ok", true), Map.entry("kind", "B"),
        Map.entry("tags", List.of("x", "y")), Map.entry("attrs", Map.of("n", 7L)),
        Map.entry("raw", new byte[] {1, 2}), Map.entry("hash", new byte[] {3, 4}),
        Map.entry("price", new BigDecimal("12.34")), Map.entry("payload", Map.of("body", "deep")),
        Map.entry("extra", "e"));
    assertThat(plain.get("text")).isInstanceOf(String.class);
  }

  @Test
  void shouldBuildARecordFromPlainValuesAndRoundTripIt() {
    Map<String, Object> plain = new LinkedHashMap<>();
    plain.put("text", "hello");
    plain.put("count", 3);
    plain.put("big", 5); // an Integer where a long is due: widened
    plain.put("ratio", 1); // and a double
    plain.put("score", 0.25);
    plain.put("ok", false);
    plain.put("kind", "A");
    plain.put("tags", List.of("x"));
    plain.put("attrs", Map.of("a", "s", "b", 2L));
    plain.put("raw", new byte[] {5});
    plain.put("hash", new byte[] {6, 7});
    plain.put("price", new BigDecimal("0.10"));
    plain.put("payload", Map.of("body", "b", "ignored", 1));
    plain.put("not-in-schema", "dropped");

    GenericRecord record = AvroMaps.toRecord(plain, NOTE);
    Object back = AvroMaps.toPlain(AvroBinary.decode(NOTE, frameless(record), 0, frameless(record).length), NOTE);

    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("text", "hello");
    expected.put("id", null);
    expected.put("count", 3);
    expected.put("big", 5L);
    expected.put("ratio", 1.0);
    expected.put("score", 0.25f);
    expected.put("ok", false);
    expected.put("kind", "A");
    expected.put("tags", List.of("x"));
    expected.put("attrs", Map.of("a", "s", "b", 2L));
    expected.put("raw", new byte[] {5});
    expected.put("hash", new byte[] {6, 7});
    expected.put("price", new BigDecimal("0.10"));
    expected.put("payload", Map.of("body", "b"));
    expected.put("extra", "none");
    assertThat(back).usingRecursiveComparison().isEqualTo(expected);
  }

  @Test
  void shouldWriteFreeFormMapsIntoStringFieldsAsJsonText() {
    Schema hit = new Schema.Parser().parse(
        "{\"type\":\"record\",\"name\":\"Hit\",\"fields\":[{\"name\":\"metadata\",\"type\":\"string\"}]}");
    GenericRecord record = AvroMaps.toRecord(Map.of("metadata", Map.of("lang", "en", "n", List.of(1, 2))), hit);
    assertThat(record.get("metadata").toString()).satisfiesAnyOf(
        s -> assertThat(s).isEqualTo("{\"lang\":\"en\",\"n\":[1,2]}"),
        s -> assertThat(s).isEqualTo("{\"n\":[1,2],\"lang\":\"en\"}"));
  }

  @Test
  void shouldNameThePathOfAValueThatDoesNotFit() {
    assertThatThrownBy(() -> AvroMaps.toRecord(Map.of("text", 5), NOTE)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("field 'text' must be a string, was Integer");
    Map<String, Object> plain = new LinkedHashMap<>(Map.of("text", "t", "count", 1, "big", 1L, "ratio", 1.0,
        "score", 1f, "ok", true, "kind", "A", "tags", List.of("x", 2), "attrs", Map.of(), "raw", new byte[0]));
    assertThatThrownBy(() -> AvroMaps.toRecord(plain, NOTE)).hasMessage("field 'tags[1]' must be a string, was Integer");
    plain.put("tags", List.of());
    plain.put("kind", "Z");
    assertThatThrownBy(() -> AvroMaps.toRecord(plain, NOTE)).hasMessage("field 'kind' must be one of [A, B], was String");
    plain.put("kind", "A");
    plain.put("count", 1L << 40);
    assertThatThrownBy(() -> AvroMaps.toRecord(plain, NOTE)).hasMessage("field 'count' must be an int, was Long");
    plain.put("count", 1);
    assertThatThrownBy(() -> AvroMaps.toRecord(plain, NOTE)).hasMessage("field 'hash' is required by the schema and missing");
  }

  @Test
  void shouldReportTruncatedAndOverlongPayloadsAsMalformed() {
    Schema s = new Schema.Parser().parse(
        "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"text\",\"type\":\"string\"},{\"name\":\"n\",\"type\":\"long\"}]}");
    byte[] full = AvroBinary.encode(AvroMaps.toRecord(Map.of("text", "hello world", "n", 123456789L), s), s);

    assertThatThrownBy(() -> AvroBinary.decode(s, full, 0, full.length - 2))
        .isInstanceOf(RecordDecodingException.class).hasMessageContaining("truncated Avro payload")
        .satisfies(e -> assertThat(((RecordDecodingException) e).kind()).isEqualTo(Kind.MALFORMED));
    byte[] longer = java.util.Arrays.copyOf(full, full.length + 3);
    assertThatThrownBy(() -> AvroBinary.decode(s, longer, 0, longer.length))
        .hasMessageContaining("3 bytes left over");
  }

  @Test
  void shouldRejectAStringLengthBeyondThePayloadWithoutAllocatingIt() {
    Schema s = Schema.create(Schema.Type.STRING);
    // zig-zag varint for 1_000_000_000: a claimed 1 GB string in a 5-byte payload
    byte[] claim = {(byte) 0x80, (byte) 0xA8, (byte) 0xD6, (byte) 0xB9, 0x07};
    long before = usedHeap();
    assertThatThrownBy(() -> AvroBinary.decode(s, claim, 0, claim.length)).isInstanceOf(RecordDecodingException.class);
    assertThat(usedHeap() - before).isLessThan(500L << 20);
  }

  private static long usedHeap() {
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }

  private static byte[] frameless(GenericRecord record) {
    return AvroBinary.encode(record, record.getSchema());
  }
}
