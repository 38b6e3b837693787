package dev.tier0.registry;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tier0.registry.ConfluentWireFormat.Framed;
import dev.tier0.registry.RecordDecodingException.Kind;
import java.io.IOException;
import org.apache.avro.Schema;

/**
 * Decodes Confluent wire-format values into plain Java values (see {@link AvroMaps}): an Avro record becomes a
 * {@code Map<String,Object>}, an Avro string a String; a JSON Schema value is parsed as JSON (not validated
 * against its schema: the producer's serializer did that). Every failure is a {@link RecordDecodingException}
 * whose message says what was wrong, for an error reply or a skip report; nothing else escapes.
 */
public final class RegistryValueDecoder {
  private final SchemaRegistryClient registry;
  private final ParsedSchemas schemas;
  private final ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** A decoded value with the writer schema it came with. */
  public record Decoded(int schemaId, SchemaType type, Object value) {}

  public RegistryValueDecoder(SchemaRegistryClient registry, int schemaCacheCapacity) {
    this.registry = registry;
    this.schemas = new ParsedSchemas(schemaCacheCapacity, registry);
  }

  public Decoded decode(byte[] bytes) {
    Framed framed = ConfluentWireFormat.unframe(bytes);
    RegisteredSchema schema = schema(framed.schemaId());
    return switch (schema.type()) {
      case AVRO -> {
        Schema avro = schemas.avro(schema);
        Object datum = AvroBinary.decode(avro, framed.bytes(), framed.offset(), framed.length());
        yield new Decoded(schema.id(), SchemaType.AVRO, AvroMaps.toPlain(datum, avro));
      }
      case JSON -> new Decoded(schema.id(), SchemaType.JSON, json(framed));
      case PROTOBUF -> throw new RecordDecodingException(Kind.UNSUPPORTED_SCHEMA, "schema id " + schema.id()
          + " is a Protobuf schema: tier0 reads Avro and JSON Schema values", null);
    };
  }

  private RegisteredSchema schema(int id) {
    try {
      return registry.schemaById(id);
    } catch (SchemaNotFoundException e) {
      throw new RecordDecodingException(Kind.UNKNOWN_SCHEMA, "unknown schema id " + id + ": " + e.getMessage(), e);
    } catch (RegistryUnavailableException e) {
      throw new RecordDecodingException(Kind.REGISTRY_UNAVAILABLE, "cannot fetch schema id " + id + ": "
          + e.getMessage(), e);
    } catch (SchemaRegistryException e) {
      throw new RecordDecodingException(Kind.REGISTRY_ERROR, "cannot fetch schema id " + id + ": " + e.getMessage(), e);
    }
  }

  private Object json(Framed framed) {
    try {
      return json.readValue(framed.bytes(), framed.offset(), framed.length(), Object.class);
    } catch (IOException e) {
      throw RecordDecodingException.malformed("the " + framed.length() + "-byte payload of JSON Schema id "
          + framed.schemaId() + " is not valid JSON: " + e.getMessage(), e);
    }
  }
}
