package dev.tier0.connect;

import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a record that cannot become a memory goes: the worker's dead-letter queue, or a failed task, as
 * errors.tolerance says. Never silently dropped. Called only on the task thread.
 */
final class BadRecords {
  private static final Logger LOG = LoggerFactory.getLogger(BadRecords.class);

  private final ErrantRecordReporter reporter;
  private final boolean tolerateAll;

  /**
   * @param reporter    the worker's reporter, null when the worker has no dead-letter queue or error log
   * @param tolerateAll errors.tolerance=all
   */
  BadRecords(ErrantRecordReporter reporter, boolean tolerateAll) {
    this.reporter = reporter;
    this.tolerateAll = tolerateAll;
  }

  void reject(SinkRecord record, String reason, Throwable cause) {
    RejectedRecordException error = cause == null
        ? new RejectedRecordException(reason) : new RejectedRecordException(reason, cause);
    SinkMetrics.INSTANCE.rejected.incrementAndGet();
    String where = record.originalTopic() + "-" + record.originalKafkaPartition() + "@" + record.originalKafkaOffset();
    if (reporter != null) {
      // With errors.tolerance=none the worker's reporter writes the record to the DLQ, then throws.
      reporter.report(record, error);
    }
    if (!tolerateAll) {
      throw new ConnectException("record " + where + " cannot be stored (errors.tolerance=none): " + reason, error);
    }
    if (reporter == null) {
      LOG.warn("Skipping record {} (errors.tolerance=all, no dead-letter queue configured): {}", where, reason);
    } else {
      LOG.debug("Sent record {} to the dead-letter queue: {}", where, reason);
    }
  }
}
