package dev.tier0.registry;

import java.util.List;
import java.util.Objects;

/**
 * A schema as the registry stores it: its global id, its type, its text (Avro or JSON Schema as JSON) and the
 * other subjects' schemas it references by name (empty for a self-contained schema). Immutable on the registry
 * side, so it can be cached for as long as the process lives.
 */
public record RegisteredSchema(int id, SchemaType type, String schema, List<SchemaReference> references) {
  public RegisteredSchema {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(schema, "schema");
    references = references == null ? List.of() : List.copyOf(references);
  }

  /** A schema without references. */
  public RegisteredSchema(int id, SchemaType type, String schema) {
    this(id, type, schema, List.of());
  }
}
