package dev.tier0.streams;

import java.time.Duration;

/**
 * How long one flush, ingest or search, may keep starting Milvus calls: its side's preferred budget, or a quarter of
 * the stream thread's {@code max.poll.interval.ms} or (under exactly-once) of {@code transaction.timeout.ms} when
 * that is less. A quarter, because the budget is counted from the thread's last poll ({@link
 * ThreadMembership#sinceLastPoll()}), a call started just before it runs out still has to finish (a search's RPC
 * deadline, a write's retries), and the metric that tells the poll's age is in whole seconds. Both sides apply the
 * same rule: the soaks of issue 15 fenced ingest threads first, then search threads, for transactions past 60 s.
 */
public final class FlushBudget {
  private FlushBudget() {
  }

  /**
   * @param preferred          the side's own budget (ingest 30 s, search 10 s); > 0
   * @param maxPollInterval    the stream threads' main consumer {@code max.poll.interval.ms}; > 0
   * @param transactionTimeout the producers' {@code transaction.timeout.ms} under exactly-once; null otherwise
   * @return the smallest of {@code preferred} and a quarter of each limit
   */
  public static Duration of(Duration preferred, Duration maxPollInterval, Duration transactionTimeout) {
    Duration budget = preferred;
    for (Duration limit : new Duration[] {maxPollInterval, transactionTimeout}) {
      if (limit != null && limit.dividedBy(4).compareTo(budget) < 0) {
        budget = limit.dividedBy(4);
      }
    }
    return budget;
  }
}
