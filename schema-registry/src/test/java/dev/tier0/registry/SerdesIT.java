package dev.tier0.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tier0.local.ApicurioRegistry;
import dev.tier0.registry.RecordDecodingException.Kind;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** The serializer, the deserializer, the plain-value decoder and the reply encoder against a real registry. */
class SerdesIT {
  static final Schema NOTE = new Schema.Parser().parse("""
      {"type":"record","name":"Note","namespace":"it","fields":[
        {"name":"text","type":"string"},
        {"name":"tenant","type":["null","string"],"default":null},
        {"name":"tags","type":{"type":"array","items":"string"}},
        {"name":"payload","type":{"type":"record","name":"Payload","fields":[{"name":"lang","type":"string"}]}}]}""");

  private static String topic() {
    return "it-topic-" + UUID.randomUUID();
  }

  private static Map<String, Object> serdeConfig(boolean autoRegister) {
    return Map.of("schema.registry.url", SharedRegistry.get().url(), "auto.register.schemas", autoRegister,
        "retries.wait.ms", 50, "retries.max.wait.ms", 200, "max.retries", 2);
  }

  private static GenericRecord note(String text) {
    return new GenericRecordBuilder(NOTE).set("text", text).set("tenant", "acme").set("tags", List.of("a", "b"))
        .set("payload", new GenericRecordBuilder(NOTE.getField("payload").schema()).set("lang", "en").build()).build();
  }

  @Test
  void shouldRoundTripARecordThroughTheRegistryUnderTheTopicValueSubject() {
    String topic = topic();
    try (ConfluentAvroSerializer serializer = new ConfluentAvroSerializer();
         ConfluentAvroDeserializer deserializer = new ConfluentAvroDeserializer();
         SchemaRegistryClient client = SchemaRegistryClient.create(SharedRegistry.config().build())) {
      serializer.configure(serdeConfig(true), false);
      deserializer.configure(serdeConfig(true), false);

      byte[] bytes = serializer.serialize(topic, note("hello"));

      SubjectVersion registered = client.latest(topic + "-value");
      assertThat(ConfluentWireFormat.unframe(bytes).schemaId()).isEqualTo(registered.id());
      assertThat(deserializer.deserialize(topic, bytes)).isEqualTo(note("hello"));
      RegistryValueDecoder.Decoded decoded = new RegistryValueDecoder(client, 100).decode(bytes);
      assertThat(decoded.type()).isEqualTo(SchemaType.AVRO);
      assertThat(decoded.value()).isEqualTo(Map.of("text", "hello", "tenant", "acme", "tags", List.of("a", "b"),
          "payload", Map.of("lang", "en")));
    }
  }

  @Test
  void shouldRefuseAnUnregisteredSchemaWhenAutoRegistrationIsOff() {
    try (ConfluentAvroSerializer serializer = new ConfluentAvroSerializer()) {
      serializer.configure(serdeConfig(false), false);
      String topic = topic();
      assertThatThrownBy(() -> serializer.serialize(topic, note("x"))).isInstanceOf(SerializationException.class)
          .hasMessageContaining("not registered under subject '" + topic + "-value'");
    }
  }

  @Test
  void shouldDecodeAnAvroStringAndAJsonSchemaValue() {
    try (SchemaRegistryClient client = SchemaRegistryClient.create(SharedRegistry.config().build())) {
      RegistryValueDecoder decoder = new RegistryValueDecoder(client, 100);
      Schema string = Schema.create(Schema.Type.STRING);
      int stringId = client.register(topic() + "-value", SchemaType.AVRO, string.toString());
      assertThat(decoder.decode(ConfluentWireFormat.frame(stringId, AvroBinary.encode("just text", string))).value())
          .isEqualTo("just text");

      int jsonId = client.register(topic() + "-value", SchemaType.JSON, """
          {"$schema":"http://json-schema.org/draft-07/schema#","type":"object"}""");
      byte[] json = ConfluentWireFormat.frame(jsonId, "{\"text\":\"hi\",\"n\":[1,2]}".getBytes(StandardCharsets.UTF_8));
      assertThat(decoder.decode(json)).isEqualTo(
          new RegistryValueDecoder.Decoded(jsonId, SchemaType.JSON, Map.of("text", "hi", "n", List.of(1, 2))));
      byte[] notJson = ConfluentWireFormat.frame(jsonId, "{\"text\":".getBytes(StandardCharsets.UTF_8));
      assertThatThrownBy(() -> decoder.decode(notJson)).isInstanceOf(RecordDecodingException.class)
          .hasMessageContaining("not valid JSON");
    }
  }

  @Test
  void shouldNameEachKindOfBadInput() {
    String topic = topic();
    try (SchemaRegistryClient client = SchemaRegistryClient.create(SharedRegistry.config().build());
         ConfluentAvroSerializer serializer = new ConfluentAvroSerializer(client, true)) {
      RegistryValueDecoder decoder = new RegistryValueDecoder(client, 100);
      byte[] good = serializer.serialize(topic, note("hello"));

      assertThat(decodingFailure(decoder, ConfluentWireFormat.frame(999_999, new byte[] {2, 'h'})))
          .satisfies(e -> assertThat(e.kind()).isEqualTo(Kind.UNKNOWN_SCHEMA))
          .hasMessageContaining("unknown schema id 999999");
      assertThat(decodingFailure(decoder, "{\"text\":\"plain json\"}".getBytes(StandardCharsets.UTF_8)))
          .satisfies(e -> assertThat(e.kind()).isEqualTo(Kind.MALFORMED))
          .hasMessageContaining("unknown magic byte 0x7B");
      assertThat(decodingFailure(decoder, Arrays.copyOf(good, good.length - 3)))
          .satisfies(e -> assertThat(e.kind()).isEqualTo(Kind.MALFORMED))
          .hasMessageContaining("truncated Avro payload");
      assertThat(decodingFailure(decoder, Arrays.copyOf(good, 3)))
          .hasMessageContaining("truncated header");
    }
  }

  @Test
  void shouldReportAnOutageAsTransientButKeepDecodingSchemasAlreadyCached() {
    ApicurioRegistry registry = SharedRegistry.get();
    String topic = topic();
    try (SchemaRegistryClient client = SchemaRegistryClient.create(SharedRegistry.config().maxRetries(2).build());
         ConfluentAvroSerializer serializer = new ConfluentAvroSerializer(client, true)) {
      RegistryValueDecoder decoder = new RegistryValueDecoder(client, 100);
      byte[] seen = serializer.serialize(topic, note("seen"));
      decoder.decode(seen);
      Schema other = Schema.create(Schema.Type.STRING);
      int unseenId;
      try (SchemaRegistryClient other2 = new HttpSchemaRegistryClient(SharedRegistry.config().build())) {
        unseenId = other2.register(topic() + "-value", SchemaType.AVRO, other.toString());
      }
      registry.stop();
      try {
        assertThat(decoder.decode(seen).value()).isInstanceOf(Map.class);
        RecordDecodingException failure =
            decodingFailure(decoder, ConfluentWireFormat.frame(unseenId, AvroBinary.encode("x", other)));
        assertThat(failure.kind()).isEqualTo(Kind.REGISTRY_UNAVAILABLE);
        assertThat(failure.isTransient()).isTrue();
        assertThat(failure).hasMessageContaining("cannot fetch schema id " + unseenId).hasMessageContaining("after 3 attempts");
      } finally {
        registry.restart();
      }
    }
  }

  @Test
  void shouldRegisterAReplySchemaOnceAndWriteMapsUnderIt() {
    String topic = topic();
    try (SchemaRegistryClient client = SchemaRegistryClient.create(SharedRegistry.config().build());
         ConfluentAvroDeserializer deserializer = new ConfluentAvroDeserializer(client)) {
      AvroValueEncoder encoder = new AvroValueEncoder(client, AvroValueEncoder.valueSubject(topic), NOTE, true);
      assertThat(client.latest(topic + "-value").id()).isEqualTo(encoder.schemaId());

      byte[] bytes = encoder.encode(Map.of("text", "reply", "tags", List.of(), "payload", Map.of("lang", "de")));

      GenericRecord read = (GenericRecord) deserializer.deserialize(topic, bytes);
      assertThat(read.get("text").toString()).isEqualTo("reply");
      assertThat(read.get("tenant")).isNull();
      assertThat(((GenericRecord) read.get("payload")).get("lang").toString()).isEqualTo("de");
      assertThatThrownBy(() -> new AvroValueEncoder(client, topic() + "-value", NOTE, false))
          .isInstanceOf(SchemaNotFoundException.class).hasMessageContaining("auto-registration is off");
    }
  }

  private static RecordDecodingException decodingFailure(RegistryValueDecoder decoder, byte[] bytes) {
    try {
      decoder.decode(bytes);
    } catch (RecordDecodingException e) {
      return e;
    }
    throw new AssertionError("decoding succeeded where it should have failed");
  }
}
