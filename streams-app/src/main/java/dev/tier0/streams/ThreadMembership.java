package dev.tier0.streams;

import java.time.Duration;

/**
 * Whether the calling stream thread still holds its tasks, asked before every Milvus write of an ingest flush, and
 * how long ago it polled, which bounds the Milvus calls of every flush, ingest and search.
 * Kafka Streams gives a processor no "still the owner" check before an external write, and a thread can lose its
 * tasks while it writes: a consumer that has not polled for {@code max.poll.interval.ms} leaves the group (its
 * heartbeat thread sends a LeaveGroup; a rebalance that waits for it that long drops it too), and its partitions go
 * to another instance, which restores the same pending writes from the changelog and writes newer ones. The old
 * thread, still inside a long flush against a slow Milvus, must not write after that: the 100,000-record soak
 * (issue 15) lost 135 memories and kept 4 deleted ones that way. The app's answer is {@link ConsumerMembership}.
 */
public interface ThreadMembership {
  /** Whether the calling stream thread may still write for its tasks. */
  boolean isMember();

  /**
   * How long ago the calling stream thread last polled (zero before its first poll, or where it cannot be told). A
   * flush starts no store call past its budget counted from there ({@link FlushBudget}), so the thread polls and
   * commits in time. Under exactly-once that also bounds the open transaction, which the broker aborts after
   * {@code transaction.timeout.ms}, fencing the thread (the 100,000-record soak: threads fenced with
   * InvalidProducerEpochException while several tasks' flushes ran back to back, each within its own budget).
   * Asked on the stream thread itself: another thread (a search pool's) has no poll of its own.
   */
  Duration sinceLastPoll();

  /** Whether the calling stream thread polled less than {@code window} ago (see {@link #sinceLastPoll()}). */
  default boolean polledWithin(Duration window) {
    return sinceLastPoll().compareTo(window) < 0;
  }

  /**
   * Whether a task closing now closes because the app is shutting down, rather than because its partitions were
   * revoked or lost: only then is it worth flushing at close. On a revocation the pending writes stay in the
   * changelog, and the task's next owner restores and writes them, newest version of each memory included.
   */
  boolean closingForGood();

  /** For a topology outside a running app (a TopologyTestDriver): always a member, every close for good. */
  static ThreadMembership unbound() {
    return Unbound.INSTANCE;
  }

  /** See {@link #unbound()}. */
  enum Unbound implements ThreadMembership {
    INSTANCE;

    @Override
    public boolean isMember() {
      return true;
    }

    @Override
    public boolean closingForGood() {
      return true;
    }

    @Override
    public Duration sinceLastPoll() {
      return Duration.ZERO;
    }
  }
}
