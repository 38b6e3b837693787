package dev.tier0.registry;

import java.util.Map;
import org.apache.avro.Schema;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Kafka deserializer of Confluent wire-format Avro into Avro's generic data (a GenericRecord for a record
 * schema), read with the writer's schema. Failures are Kafka {@link SerializationException}s whose cause is the
 * {@link RecordDecodingException} saying what was wrong. For plain Java values, use
 * {@link RegistryValueDecoder}.
 */
public final class ConfluentAvroDeserializer implements Deserializer<Object> {
  private SchemaRegistryClient registry;
  private boolean ownsRegistry;
  private ParsedSchemas schemas;

  public ConfluentAvroDeserializer() {}

  /** A deserializer on a client the caller owns and closes. */
  public ConfluentAvroDeserializer(SchemaRegistryClient registry) {
    this.registry = registry;
    this.schemas = new ParsedSchemas(1000, registry);
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    if (registry == null) {
      RegistryConfig config = RegistryConfig.fromProperties(configs);
      registry = SchemaRegistryClient.create(config);
      schemas = new ParsedSchemas(config.cacheCapacity(), registry);
      ownsRegistry = true;
    }
  }

  @Override
  public Object deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    try {
      ConfluentWireFormat.Framed framed = ConfluentWireFormat.unframe(data);
      RegisteredSchema registered;
      try {
        registered = registry.schemaById(framed.schemaId());
      } catch (SchemaRegistryException e) {
        throw new RecordDecodingException(e instanceof SchemaNotFoundException
            ? RecordDecodingException.Kind.UNKNOWN_SCHEMA : e.isTransient()
            ? RecordDecodingException.Kind.REGISTRY_UNAVAILABLE : RecordDecodingException.Kind.REGISTRY_ERROR,
            "schema id " + framed.schemaId() + ": " + e.getMessage(), e);
      }
      if (registered.type() != SchemaType.AVRO) {
        throw new RecordDecodingException(RecordDecodingException.Kind.UNSUPPORTED_SCHEMA, "schema id "
            + registered.id() + " is a " + registered.type() + " schema, not Avro", null);
      }
      Schema writer = schemas.avro(registered);
      return AvroBinary.decode(writer, framed.bytes(), framed.offset(), framed.length());
    } catch (RecordDecodingException e) {
      throw new SerializationException("cannot deserialize a value of topic " + topic + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    if (ownsRegistry) {
      registry.close();
    }
  }
}
