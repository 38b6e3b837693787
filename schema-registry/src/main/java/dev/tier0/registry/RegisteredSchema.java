package dev.tier0.registry;

import java.util.Objects;

/**
 * A schema as the registry stores it: its global id, its type and its text (Avro or JSON Schema as JSON).
 * Immutable on the registry side, so it can be cached for as long as the process lives.
 */
public record RegisteredSchema(int id, SchemaType type, String schema) {
  public RegisteredSchema {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(schema, "schema");
  }
}
