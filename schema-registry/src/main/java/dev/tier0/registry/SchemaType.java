package dev.tier0.registry;

import java.util.Locale;

/** The schema types of the Confluent API; the registry omits {@code schemaType} for Avro. */
public enum SchemaType {
  AVRO, JSON, PROTOBUF;

  /** Parses the API's {@code schemaType} field, where absent (null) means Avro. */
  public static SchemaType fromApi(String value) {
    if (value == null || value.isBlank()) {
      return AVRO;
    }
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new SchemaRegistryException("the registry returned an unknown schemaType '" + value + "'", e);
    }
  }
}
