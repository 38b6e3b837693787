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
 * @param flushBudget        how long a flush keeps starting searches, counted from its stream thread's last poll;
 *                           the requests it did not start stay pending for the next flush, so a slow store cannot
 *                           keep the thread (and, under exactly-once, its transaction) open past the poll interval
 *                           or the transaction timeout; > 0
 */
public record SearchSettings(String requestTopic, String defaultReplyTopic, SearchLimits limits, int maxBatch,
                             Duration batchWindow, int searchParallelism, Predicate<String> replyTopicExists,
                             Duration flushBudget) {
  /**
   * The search flush budget unless the thread's limits call for less ({@link dev.tier0.streams.FlushBudget}):
   * shorter than ingest's, because a search is a request someone waits for, and one started just before the budget
   * runs out may still take its RPC deadline.
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
    if (flushBudget.isNegative() || flushBudget.isZero()) {
      throw new IllegalArgumentException("search flush budget must be > 0, was " + flushBudget);
    }
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
