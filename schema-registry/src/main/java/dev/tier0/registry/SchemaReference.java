package dev.tier0.registry;

import java.util.Objects;

/**
 * A schema's reference to a named type registered elsewhere, as the registry lists it under {@code references}:
 * the full name the schema uses (an Avro record's {@code namespace.Name}), and the subject version that defines it.
 */
public record SchemaReference(String name, String subject, int version) {
  public SchemaReference {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(subject, "subject");
  }
}
