package dev.tier0.registry;

/** The registry answered that the schema id, subject or version does not exist (404). */
public class SchemaNotFoundException extends SchemaRegistryException {
  public SchemaNotFoundException(String message, int httpStatus, int errorCode) {
    super(message, httpStatus, errorCode, null);
  }
}
