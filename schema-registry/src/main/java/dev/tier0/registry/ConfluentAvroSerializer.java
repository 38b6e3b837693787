package dev.tier0.registry;

import java.util.Map;
import org.apache.avro.generic.GenericContainer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serializer of Avro data (a {@link GenericContainer}: record, enum, fixed) in the Confluent wire format,
 * subjects by TopicNameStrategy ({@code <topic>-key} / {@code <topic>-value}). Configured with
 * {@link RegistryConfig}'s keys plus {@code auto.register.schemas} (default true; false = the schema must already
 * be registered under the subject).
 */
public final class ConfluentAvroSerializer implements Serializer<GenericContainer> {
  private SchemaRegistryClient registry;
  private boolean ownsRegistry;
  private boolean isKey;
  private boolean autoRegister = true;

  public ConfluentAvroSerializer() {}

  /** A serializer on a client the caller owns and closes. */
  public ConfluentAvroSerializer(SchemaRegistryClient registry, boolean autoRegister) {
    this.registry = registry;
    this.autoRegister = autoRegister;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    this.isKey = isKey;
    this.autoRegister = SerdeConfig.autoRegister(configs);
    if (registry == null) {
      registry = SchemaRegistryClient.create(RegistryConfig.fromProperties(configs));
      ownsRegistry = true;
    }
  }

  @Override
  public byte[] serialize(String topic, GenericContainer data) {
    if (data == null) {
      return null;
    }
    String subject = SerdeConfig.subject(topic, isKey);
    String schema = data.getSchema().toString();
    try {
      int id = autoRegister ? registry.register(subject, SchemaType.AVRO, schema)
          : registry.lookup(subject, SchemaType.AVRO, schema).orElseThrow(() -> new SerializationException(
              "schema " + data.getSchema().getFullName() + " is not registered under subject '" + subject
                  + "' and auto.register.schemas=false")).id();
      return ConfluentWireFormat.frame(id, AvroBinary.encode(data, data.getSchema()));
    } catch (SchemaRegistryException e) {
      throw new SerializationException("cannot serialize to topic " + topic + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    if (ownsRegistry) {
      registry.close();
    }
  }
}
