package dev.tier0.streams;

/** The store did not answer: the operation may succeed later. */
public class IndexUnavailableException extends RuntimeException {
  public IndexUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
