package dev.tier0.registry;

/** The registry answered that the registry refused the credentials (401) or the permission (403). */
public class RegistryAuthenticationException extends SchemaRegistryException {
  public RegistryAuthenticationException(String message, int httpStatus, int errorCode) {
    super(message, httpStatus, errorCode, null);
  }
}
