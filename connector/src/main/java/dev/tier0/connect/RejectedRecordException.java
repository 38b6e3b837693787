package dev.tier0.connect;

import org.apache.kafka.connect.errors.DataException;

/**
 * Why a record cannot become a memory. Its message is the reason the dead-letter queue carries (header
 * {@code __connect.errors.exception.message} when errors.deadletterqueue.context.headers.enable=true).
 */
public class RejectedRecordException extends DataException {
  public RejectedRecordException(String reason) {
    super(reason);
  }

  public RejectedRecordException(String reason, Throwable cause) {
    super(reason, cause);
  }
}
