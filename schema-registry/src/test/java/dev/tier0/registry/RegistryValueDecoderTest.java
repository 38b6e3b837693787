package dev.tier0.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tier0.registry.RecordDecodingException.Kind;
import dev.tier0.registry.ScriptedServer.Reply;
import java.time.Duration;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** Which failure kind each registry answer becomes, over a real HTTP exchange. */
class RegistryValueDecoderTest {
  private static final Schema STRING = Schema.create(Schema.Type.STRING);

  private static ScriptedServer registry() {
    return ScriptedServer.http(r -> switch (r.path()) {
      case "/schemas/ids/1" -> Reply.json(200, "{\"schema\":\"\\\"string\\\"\"}");
      case "/schemas/ids/2" -> Reply.json(200, "{\"schema\":\"syntax = \\\"proto3\\\";\",\"schemaType\":\"PROTOBUF\"}");
      case "/schemas/ids/3" -> Reply.json(200, "{\"schema\":\"{\\\"type\\\":\\\"nonsense\\\"}\"}");
      case "/schemas/ids/4" -> Reply.json(401, "{\"error_code\":401,\"message\":\"Unauthorized\"}");
      case "/schemas/ids/5" -> Reply.json(503, "{\"error_code\":50003,\"message\":\"leader unknown\"}");
      // a schema whose referenced types live in other subjects: one gone, one not Avro (Confluent serves both)
      case "/schemas/ids/6" -> Reply.json(200, "{\"schema\":\"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"N\\\","
          + "\\\"fields\\\":[{\\\"name\\\":\\\"a\\\",\\\"type\\\":\\\"x.Address\\\"}]}\","
          + "\"references\":[{\"name\":\"x.Address\",\"subject\":\"gone\",\"version\":1}]}");
      case "/schemas/ids/7" -> Reply.json(200, "{\"schema\":\"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"N\\\","
          + "\\\"fields\\\":[{\\\"name\\\":\\\"a\\\",\\\"type\\\":\\\"x.Address\\\"}]}\","
          + "\"references\":[{\"name\":\"x.Address\",\"subject\":\"json-address\",\"version\":2}]}");
      case "/subjects/json-address/versions/2" -> Reply.json(200, "{\"subject\":\"json-address\",\"version\":2,"
          + "\"id\":8,\"schemaType\":\"JSON\",\"schema\":\"{}\"}");
      default -> Reply.json(404, "{\"error_code\":40403,\"message\":\"Schema not found\"}");
    });
  }

  @Test
  void shouldDecodeAndNameEveryFailureKind() {
    try (ScriptedServer server = registry(); SchemaRegistryClient client = SchemaRegistryClient.create(
        RegistryConfig.builder().url(server.url()).maxRetries(1).retryWait(Duration.ofMillis(5))
            .retryMaxWait(Duration.ofMillis(10)).build())) {
      RegistryValueDecoder decoder = new RegistryValueDecoder(client, 10);
      byte[] text = AvroBinary.encode("hello", STRING);

      assertThat(decoder.decode(ConfluentWireFormat.frame(1, text)))
          .isEqualTo(new RegistryValueDecoder.Decoded(1, SchemaType.AVRO, "hello"));
      assertThat(failure(decoder, ConfluentWireFormat.frame(9, text)))
          .satisfies(e -> assertThat(e.kind()).isEqualTo(Kind.UNKNOWN_SCHEMA)).hasMessageContaining("unknown schema id 9");
      assertThat(failure(decoder, ConfluentWireFormat.frame(2, text)))
          .satisfies(e -> assertThat(e.kind()).isEqualTo(Kind.UNSUPPORTED_SCHEMA)).hasMessageContaining("Protobuf");
      assertThat(failure(decoder, ConfluentWireFormat.frame(3, text)))
          .satisfies(e -> assertThat(e.kind()).isEqualTo(Kind.UNSUPPORTED_SCHEMA))
          .hasMessageContaining("not a valid Avro schema");
      assertThat(failure(decoder, ConfluentWireFormat.frame(4, text)))
          .satisfies(e -> assertThat(e.kind()).isEqualTo(Kind.REGISTRY_ERROR)).hasMessageContaining("HTTP 401");
      assertThat(failure(decoder, ConfluentWireFormat.frame(6, text)))
          .satisfies(e -> assertThat(e.kind()).isEqualTo(Kind.UNSUPPORTED_SCHEMA))
          .hasMessageContaining("schema id 6 references 'x.Address' (subject gone version 1), which cannot be "
              + "resolved").hasMessageContaining("HTTP 404");
      assertThat(failure(decoder, ConfluentWireFormat.frame(7, text)))
          .satisfies(e -> assertThat(e.kind()).isEqualTo(Kind.UNSUPPORTED_SCHEMA))
          .hasMessageContaining("references 'x.Address' (subject json-address version 2), which cannot be "
              + "resolved: it is a JSON schema, not Avro");
      // last: after an outage the client fails fast for a while
      RecordDecodingException outage = failure(decoder, ConfluentWireFormat.frame(5, text));
      assertThat(outage.kind()).isEqualTo(Kind.REGISTRY_UNAVAILABLE);
      assertThat(outage.isTransient()).isTrue();
      assertThat(outage).hasMessageContaining("after 2 attempts").hasMessageContaining("HTTP 503");
    }
  }

  @Test
  void shouldFetchEachSchemaOnceForManyRecords() {
    try (ScriptedServer server = registry(); SchemaRegistryClient client = SchemaRegistryClient.create(
        RegistryConfig.builder().url(server.url()).build())) {
      RegistryValueDecoder decoder = new RegistryValueDecoder(client, 10);
      for (int i = 0; i < 100; i++) {
        assertThat(decoder.decode(ConfluentWireFormat.frame(1, AvroBinary.encode("n" + i, STRING))).value())
            .isEqualTo("n" + i);
      }
      assertThat(server.requests()).hasSize(1);
    }
  }

  @Test
  void shouldDecodeARecordIntoAnOrderedMap() {
    Schema note = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"N\",\"fields\":["
        + "{\"name\":\"b\",\"type\":\"string\"},{\"name\":\"a\",\"type\":\"int\"}]}");
    try (ScriptedServer server = ScriptedServer.http(r -> Reply.json(200, "{\"schema\":"
        + HttpSchemaRegistryClientTest.quote(note.toString()) + "}"));
         SchemaRegistryClient client = SchemaRegistryClient.create(RegistryConfig.builder().url(server.url()).build())) {
      byte[] bytes = ConfluentWireFormat.frame(7,
          AvroBinary.encode(AvroMaps.toRecord(Map.of("b", "x", "a", 1), note), note));
      Object value = new RegistryValueDecoder(client, 10).decode(bytes).value();
      assertThat(value).isInstanceOf(Map.class);
      assertThat(((Map<?, ?>) value).keySet().stream().map(Object::toString)).containsExactly("b", "a");
    }
  }

  private static RecordDecodingException failure(RegistryValueDecoder decoder, byte[] bytes) {
    try {
      decoder.decode(bytes);
    } catch (RecordDecodingException e) {
      return e;
    }
    throw new AssertionError("decoding succeeded where it should have failed");
  }
}
