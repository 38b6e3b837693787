package dev.tier0.streams.ingest;

import dev.tier0.ingest.RetryPolicy;
import dev.tier0.ingest.WriteLimits;
import java.time.Duration;
import java.util.Objects;

/**
 * How the ingest topology batches and writes.
 *
 * @param deadLetterTopic  where rejected records go (null = logged and counted only)
 * @param maxRecords       flush when this many writes are pending (write.batch.max.records)
 * @param maxTokens        ... or when the pending texts hold this many tokens
 * @param flushInterval    ... or when this much wall-clock time has passed
 * @param retry            the writer's retries of a transient store failure; after them, pending writes wait
 *                         {@link RetryPolicy#maxBackoff()} before the next flush tries again
 * @param limits           the writer's pre-write checks
 */
public record IngestSettings(String topic, String deadLetterTopic, int maxRecords, int maxTokens,
                             Duration flushInterval, RetryPolicy retry, WriteLimits limits) {
  public IngestSettings {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(retry, "retry");
    Objects.requireNonNull(limits, "limits");
    if (maxRecords < 1 || maxTokens < 1) {
      throw new IllegalArgumentException("ingest batch limits must be >= 1");
    }
    if (flushInterval.isNegative() || flushInterval.isZero()) {
      throw new IllegalArgumentException("ingest flush interval must be > 0");
    }
  }
}
