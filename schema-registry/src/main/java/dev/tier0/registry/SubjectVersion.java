package dev.tier0.registry;

import java.util.Objects;

/** One version of a subject: the subject name, its version number and the schema it points to. */
public record SubjectVersion(String subject, int version, RegisteredSchema schema) {
  public SubjectVersion {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(schema, "schema");
  }

  public int id() {
    return schema.id();
  }
}
