package dev.tier0.ingest;

/**
 * The system failed, not a record: the model failed on every text of a batch, the store refused every row of a
 * batch, or the collection does not match tier0's schema. The runtime stops (a failed Connect task, a replaced
 * stream thread) rather than send a whole batch to the dead-letter queue; nothing of the batch is settled.
 */
public class WriterFailedException extends RuntimeException {
  public WriterFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
