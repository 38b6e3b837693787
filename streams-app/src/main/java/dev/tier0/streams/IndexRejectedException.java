package dev.tier0.streams;

/** The store refused the operation: retrying the same one will not help. */
public class IndexRejectedException extends RuntimeException {
  public IndexRejectedException(String message, Throwable cause) {
    super(message, cause);
  }
}
