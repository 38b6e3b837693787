package dev.tier0.registry;

/** The registry answered that the registry rejected the schema itself, e.g. it does not parse (422). */
public class InvalidSchemaException extends SchemaRegistryException {
  public InvalidSchemaException(String message, int httpStatus, int errorCode) {
    super(message, httpStatus, errorCode, null);
  }
}
