package dev.tier0.streams.ingest;

import dev.tier0.ingest.ChunkSettings;
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
 * @param chunking         how the writer cuts long memories into passages (chunk.* keys)
 */
public record IngestSettings(String topic, String deadLetterTopic, int maxRecords, int maxTokens,
                             Duration flushInterval, RetryPolicy retry, WriteLimits limits, ChunkSettings chunking) {
  /** Settings with the default chunking (passages of the model's max_length). */
  public IngestSettings(String topic, String deadLetterTopic, int maxRecords, int maxTokens, Duration flushInterval,
      RetryPolicy retry, WriteLimits limits) {
    this(topic, deadLetterTopic, maxRecords, maxTokens, flushInterval, retry, limits, ChunkSettings.defaults());
  }

  public IngestSettings {
    Objects.requireNonNull(chunking, "chunking");
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
