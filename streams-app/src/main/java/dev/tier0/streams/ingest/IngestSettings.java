package dev.tier0.streams.ingest;

import java.time.Duration;
import java.util.Objects;

/**
 * How the ingest topology batches.
 *
 * @param deadLetterTopic  where rejected records go (null = logged and counted only)
 * @param maxRecords       flush when this many writes are pending
 * @param maxTokens        ... or when the pending texts hold this many tokens
 * @param flushInterval    ... or when this much wall-clock time has passed
 * @param retryBackoff     wait after the store was unavailable before trying the batch again
 */
public record IngestSettings(String topic, String deadLetterTopic, int maxRecords, int maxTokens,
                             Duration flushInterval, Duration retryBackoff) {
  public IngestSettings {
    Objects.requireNonNull(topic, "topic");
    if (maxRecords < 1 || maxTokens < 1) {
      throw new IllegalArgumentException("ingest batch limits must be >= 1");
    }
    if (flushInterval.isNegative() || flushInterval.isZero()) {
      throw new IllegalArgumentException("ingest flush interval must be > 0");
    }
  }
}
