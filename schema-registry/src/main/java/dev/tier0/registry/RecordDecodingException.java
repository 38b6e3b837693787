package dev.tier0.registry;

/**
 * A value that could not be decoded, with a reason fit for an error reply or a skip report, and a {@link Kind}
 * that says whether the same bytes could ever decode ({@link Kind#REGISTRY_UNAVAILABLE} is the only transient
 * one).
 */
public final class RecordDecodingException extends RuntimeException {
  public enum Kind {
    /** Not the wire format, truncated, trailing bytes, or bytes that do not match the writer's schema. */
    MALFORMED,
    /** The registry has no schema with the record's id. */
    UNKNOWN_SCHEMA,
    /** A schema type tier0 does not read (Protobuf), or a schema that does not parse. */
    UNSUPPORTED_SCHEMA,
    /** The registry could not be reached after the configured retries. */
    REGISTRY_UNAVAILABLE,
    /** Any other answer from the registry (e.g. authentication refused). */
    REGISTRY_ERROR
  }

  private final Kind kind;

  public RecordDecodingException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  static RecordDecodingException malformed(String message, Throwable cause) {
    return new RecordDecodingException(Kind.MALFORMED, message, cause);
  }

  public Kind kind() {
    return kind;
  }

  public boolean isTransient() {
    return kind == Kind.REGISTRY_UNAVAILABLE;
  }
}
