package dev.tier0.registry;

/**
 * The registry answered that the schema is incompatible with the subject's earlier versions under its
 * compatibility level (409).
 */
public class IncompatibleSchemaException extends SchemaRegistryException {
  public IncompatibleSchemaException(String message, int httpStatus, int errorCode) {
    super(message, httpStatus, errorCode, null);
  }
}
