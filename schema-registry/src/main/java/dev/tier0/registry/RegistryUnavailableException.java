package dev.tier0.registry;

/**
 * The registry could not be reached, timed out, or answered 5xx/429 on every one of the configured attempts.
 * Transient: the same request may succeed once the registry is back.
 */
public class RegistryUnavailableException extends SchemaRegistryException {
  public RegistryUnavailableException(String message, int httpStatus, int errorCode, Throwable cause) {
    super(message, httpStatus, errorCode, cause);
  }

  @Override
  public boolean isTransient() {
    return true;
  }
}
