package dev.tier0.registry;

import java.util.Map;
import org.apache.avro.generic.GenericContainer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** The pair of {@link ConfluentAvroSerializer} and {@link ConfluentAvroDeserializer}. */
public final class ConfluentAvroSerde implements Serde<Object> {
  private final ConfluentAvroSerializer serializer;
  private final ConfluentAvroDeserializer deserializer;

  public ConfluentAvroSerde() {
    this(new ConfluentAvroSerializer(), new ConfluentAvroDeserializer());
  }

  /** A serde on a client the caller owns and closes. */
  public ConfluentAvroSerde(SchemaRegistryClient registry, boolean autoRegister) {
    this(new ConfluentAvroSerializer(registry, autoRegister), new ConfluentAvroDeserializer(registry));
  }

  private ConfluentAvroSerde(ConfluentAvroSerializer serializer, ConfluentAvroDeserializer deserializer) {
    this.serializer = serializer;
    this.deserializer = deserializer;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    serializer.configure(configs, isKey);
    deserializer.configure(configs, isKey);
  }

  @Override
  public Serializer<Object> serializer() {
    return (topic, data) -> serializer.serialize(topic, (GenericContainer) data);
  }

  @Override
  public Deserializer<Object> deserializer() {
    return deserializer;
  }

  @Override
  public void close() {
    serializer.close();
    deserializer.close();
  }
}
