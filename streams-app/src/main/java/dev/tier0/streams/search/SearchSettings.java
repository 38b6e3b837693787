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
 */
public record SearchSettings(String requestTopic, String defaultReplyTopic, SearchLimits limits, int maxBatch,
                             Duration batchWindow, int searchParallelism, Predicate<String> replyTopicExists) {
  public SearchSettings {
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
