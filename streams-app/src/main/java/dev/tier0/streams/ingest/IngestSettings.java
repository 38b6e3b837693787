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
 * @param flushBudget      a flush starts no batch after this much wall-clock time (its first batch always runs);
 *                         the rest waits for the next flush, after the stream thread has polled. Keeps a backlog
 *                         against a slow Milvus from holding the thread past max.poll.interval.ms, which drops it
 *                         from the group while it still writes (the 100,000-record soak, issue 15)
 */
public record IngestSettings(String topic, String deadLetterTopic, int maxRecords, int maxTokens,
                             Duration flushInterval, RetryPolicy retry, WriteLimits limits, ChunkSettings chunking,
                             Duration flushBudget) {
  /** The flush budget unless max.poll.interval.ms calls for less (see {@link #flushBudgetFor}). */
  public static final Duration DEFAULT_FLUSH_BUDGET = Duration.ofSeconds(30);

  /** Settings with the default chunking (passages of the model's max_length). */
  public IngestSettings(String topic, String deadLetterTopic, int maxRecords, int maxTokens, Duration flushInterval,
      RetryPolicy retry, WriteLimits limits) {
    this(topic, deadLetterTopic, maxRecords, maxTokens, flushInterval, retry, limits, ChunkSettings.defaults());
  }

  /** Settings with the default flush budget. */
  public IngestSettings(String topic, String deadLetterTopic, int maxRecords, int maxTokens, Duration flushInterval,
      RetryPolicy retry, WriteLimits limits, ChunkSettings chunking) {
    this(topic, deadLetterTopic, maxRecords, maxTokens, flushInterval, retry, limits, chunking,
        DEFAULT_FLUSH_BUDGET);
  }

  /**
   * The flush budget for stream threads whose consumer must poll within {@code maxPollInterval} and, under
   * exactly-once, commit within {@code transactionTimeout} (null under at-least-once): the default, or a quarter
   * of either when that is less. A quarter, because the budget is counted per flush and per thread since its last
   * poll, and a flush's last batch may start just before it runs out.
   */
  public static Duration flushBudgetFor(Duration maxPollInterval, Duration transactionTimeout) {
    Duration budget = DEFAULT_FLUSH_BUDGET;
    for (Duration limit : new Duration[] {maxPollInterval, transactionTimeout}) {
      if (limit != null && limit.dividedBy(4).compareTo(budget) < 0) {
        budget = limit.dividedBy(4);
      }
    }
    return budget;
  }

  public IngestSettings {
    Objects.requireNonNull(flushBudget, "flushBudget");
    if (flushBudget.isNegative() || flushBudget.isZero()) {
      throw new IllegalArgumentException("ingest flush budget must be > 0");
    }
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
