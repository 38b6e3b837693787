package dev.tier0.registry;

import java.util.Map;
import org.apache.avro.Schema;

/**
 * Writes plain maps as Confluent wire-format Avro under one schema registered once, at construction, under a
 * subject (TopicNameStrategy: {@code <topic>-value}). Registering up front makes a missing or incompatible
 * schema a startup error rather than a failure on the first record.
 */
public final class AvroValueEncoder {
  private final Schema schema;
  private final int schemaId;
  private final String subject;

  public AvroValueEncoder(SchemaRegistryClient registry, String subject, Schema schema, boolean autoRegister) {
    this.schema = schema;
    this.subject = subject;
    this.schemaId = autoRegister
        ? registry.register(subject, SchemaType.AVRO, schema.toString())
        : registry.lookup(subject, SchemaType.AVRO, schema.toString())
            .orElseThrow(() -> new SchemaNotFoundException("schema " + schema.getFullName()
                + " is not registered under subject '" + subject + "' (and auto-registration is off)", 404, 40403))
            .id();
  }

  /** TopicNameStrategy's subject for a topic's values. */
  public static String valueSubject(String topic) {
    return topic + "-value";
  }

  public byte[] encode(Map<String, ?> value) {
    return ConfluentWireFormat.frame(schemaId, AvroBinary.encode(AvroMaps.toRecord(value, schema), schema));
  }

  public int schemaId() {
    return schemaId;
  }

  public Schema schema() {
    return schema;
  }

  public String subject() {
    return subject;
  }
}
