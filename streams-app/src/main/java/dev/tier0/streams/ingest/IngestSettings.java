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
 * @param maxTokens        ... or when the pending texts hold this many tokens (of the passages the texts are cut
 *                         into, special tokens included, before chunk.max.per.memory;
 *                         {@link dev.tier0.embed.Passage#tokenCount()})
 * @param flushInterval    ... or when this much wall-clock time has passed
 * @param retry            the writer's retries of a transient store failure; after them, pending writes wait
 *                         {@link RetryPolicy#maxBackoff()} before the next flush tries again
 * @param limits           the writer's pre-write checks
 * @param chunking         how the writer cuts long memories into passages (chunk.* keys)
 * @param flushBudget      a flush starts no batch once this much wall-clock time has passed since it began or
 *                         since its stream thread last polled; the rest waits for the next flush, after the thread
 *                         has polled. Keeps a backlog against a slow Milvus from holding the thread past
 *                         max.poll.interval.ms, which drops it from the group while it still writes (the
 *                         100,000-record soak, issue 15); > 0
 * @param prepareAhead     embed a batch on an embed thread while the stream thread goes on parking records, and
 *                         store it on the stream thread once it is ready (ingest.prepare.ahead, the app's default);
 *                         false: each flush embeds and stores on the stream thread before it returns
 */
public record IngestSettings(String topic, String deadLetterTopic, int maxRecords, int maxTokens,
                             Duration flushInterval, RetryPolicy retry, WriteLimits limits, ChunkSettings chunking,
                             Duration flushBudget, boolean prepareAhead) {
  /** The flush budget unless the thread's limits call for less (see {@link dev.tier0.streams.FlushBudget}). */
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

  /** Settings whose flushes embed and store on the stream thread (no prepare-ahead). */
  public IngestSettings(String topic, String deadLetterTopic, int maxRecords, int maxTokens, Duration flushInterval,
      RetryPolicy retry, WriteLimits limits, ChunkSettings chunking, Duration flushBudget) {
    this(topic, deadLetterTopic, maxRecords, maxTokens, flushInterval, retry, limits, chunking, flushBudget, false);
  }

  /** The same settings with prepare-ahead on or off. */
  public IngestSettings withPrepareAhead(boolean on) {
    return new IngestSettings(topic, deadLetterTopic, maxRecords, maxTokens, flushInterval, retry, limits, chunking,
        flushBudget, on);
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
