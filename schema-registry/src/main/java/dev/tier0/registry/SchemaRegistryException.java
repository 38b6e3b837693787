package dev.tier0.registry;

/**
 * A failure talking to the Schema Registry. {@link #httpStatus()} and {@link #errorCode()} carry what the
 * registry answered (0 when it answered nothing, e.g. the connection failed).
 */
public class SchemaRegistryException extends RuntimeException {
  private final int httpStatus;
  private final int errorCode;

  public SchemaRegistryException(String message, Throwable cause) {
    this(message, 0, 0, cause);
  }

  public SchemaRegistryException(String message, int httpStatus, int errorCode, Throwable cause) {
    super(message, cause);
    this.httpStatus = httpStatus;
    this.errorCode = errorCode;
  }

  public int httpStatus() {
    return httpStatus;
  }

  /** The Confluent {@code error_code} of the reply body (e.g. 40403 schema not found), 0 if none. */
  public int errorCode() {
    return errorCode;
  }

  /** Whether trying again later may succeed (an outage), as opposed to a request that will never work. */
  public boolean isTransient() {
    return false;
  }
}
