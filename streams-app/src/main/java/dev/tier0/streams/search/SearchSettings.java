package dev.tier0.streams.search;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * How the search topology answers.
 *
 * @param defaultReplyTopic  for requests without kafka_replyTopic, and for errors about an unusable one
 * @param maxBatch           requests embedded together at most
 * @param batchWindow        how often the micro-batch is flushed (wall clock); requests polled together share it
 * @param searchParallelism  searches of one micro-batch running at once (1 = one after the other)
 * @param replyTopicExists   whether a requested reply topic exists (a send to a missing one would block the thread)
 * @param flushBudget        how long one flush keeps starting searches; the requests it did not start stay pending
 *                           for the next flush, so a slow store cannot keep one flush (and, under exactly-once, its
 *                           transaction) open past the transaction timeout or the poll interval
 */
public record SearchSettings(String requestTopic, String defaultReplyTopic, SearchLimits limits, int maxBatch,
                             Duration batchWindow, int searchParallelism, Predicate<String> replyTopicExists,
                             Duration flushBudget) {
  /**
   * The app's flush budget: well under the 60 s transaction timeout tier0 sets under exactly-once and the 150 s
   * (half of max.poll.interval.ms) after which Kafka Streams stops a processing loop to poll.
   */
  public static final Duration DEFAULT_FLUSH_BUDGET = Duration.ofSeconds(10);

  /** Settings with {@link #DEFAULT_FLUSH_BUDGET}. */
  public SearchSettings(String requestTopic, String defaultReplyTopic, SearchLimits limits, int maxBatch,
                        Duration batchWindow, int searchParallelism, Predicate<String> replyTopicExists) {
    this(requestTopic, defaultReplyTopic, limits, maxBatch, batchWindow, searchParallelism, replyTopicExists,
        DEFAULT_FLUSH_BUDGET);
  }

  public SearchSettings {
    Objects.requireNonNull(flushBudget, "flushBudget");
    Objects.requireNonNull(requestTopic, "requestTopic");
    Objects.requireNonNull(defaultReplyTopic, "defaultReplyTopic");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(replyTopicExists, "replyTopicExists");
    if (searchParallelism < 1) {
      throw new IllegalArgumentException("search.parallelism must be >= 1, was " + searchParallelism);
    }
    if (maxBatch < 1) {
      throw new IllegalArgumentException("search.batch.max.requests must be >= 1, was " + maxBatch);
    }
  }
}
