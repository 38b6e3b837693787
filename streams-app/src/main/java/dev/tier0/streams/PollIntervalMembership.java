package dev.tier0.streams;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ThreadMembership} read off the calling thread's own main consumer ({@code <thread name>-consumer}, Kafka
 * Streams' naming), its {@code last-poll-seconds-ago} metric (whole seconds, floored): the thread is taken for a
 * member while that is under {@value #SAFE_PERCENT} % of {@code max.poll.interval.ms}, leaving the rest as a margin
 * for the metric's rounding and a write in flight. A session timeout (a heartbeat thread cut off from the broker) is
 * not seen here. Before {@link #bind}, every thread is a member and every close is for good.
 */
public final class PollIntervalMembership implements ThreadMembership {
  private static final Logger LOG = LoggerFactory.getLogger(PollIntervalMembership.class);
  static final String LAST_POLL_METRIC = "last-poll-seconds-ago";
  static final String CONSUMER_METRICS = "consumer-metrics";
  static final int SAFE_PERCENT = 80;

  private final long limitMs;
  /** Per thread, not per name: a replaced stream thread can take a dead one's name, with a new consumer. */
  private final ThreadLocal<Metric> lastPoll = new ThreadLocal<>();
  private final AtomicBoolean warned = new AtomicBoolean();
  private volatile KafkaStreams streams;

  /** @param maxPollInterval the stream threads' main consumer {@code max.poll.interval.ms} */
  public PollIntervalMembership(Duration maxPollInterval) {
    if (maxPollInterval.isNegative() || maxPollInterval.isZero()) {
      throw new IllegalArgumentException("max.poll.interval.ms must be > 0, got " + maxPollInterval);
    }
    this.limitMs = maxPollInterval.toMillis() * SAFE_PERCENT / 100;
  }

  /** From now on, answers for the stream threads of {@code streams}. */
  public void bind(KafkaStreams streams) {
    this.streams = streams;
  }

  /**
   * Whether the calling stream thread polled recently enough to still be in the group.
   *
   * @return true also when unbound, or when the thread's consumer metric cannot be found (logged once): the guard
   *     then lets writes through as before it existed
   */
  @Override
  public boolean isMember() {
    // the metric's floor hides up to a second: count it here, where a wrong yes writes as a zombie
    return sinceLastPoll().plusSeconds(1).toMillis() < limitMs;
  }

  /**
   * @return the metric's whole seconds, floored (the true age is up to a second more: budgets are set with that
   *     margin, and a budget under a second still lets a flush start right after a poll); zero before the first
   *     poll, when unbound, or when the thread's consumer metric cannot be found (logged once)
   */
  @Override
  public Duration sinceLastPoll() {
    Metric metric = lastPollMetric();
    if (metric == null) {
      return Duration.ZERO;
    }
    long secondsAgo = ((Number) metric.metricValue()).longValue();
    return secondsAgo < 0 ? Duration.ZERO : Duration.ofSeconds(secondsAgo); // -1 until the first poll
  }

  @Override
  public boolean closingForGood() {
    KafkaStreams s = streams;
    if (s == null) {
      return true;
    }
    KafkaStreams.State state = s.state();
    return state == KafkaStreams.State.PENDING_SHUTDOWN || state == KafkaStreams.State.NOT_RUNNING
        || state == KafkaStreams.State.PENDING_ERROR || state == KafkaStreams.State.ERROR;
  }

  private Metric lastPollMetric() {
    KafkaStreams s = streams;
    if (s == null) {
      return null;
    }
    Metric cached = lastPoll.get();
    if (cached != null) {
      return cached;
    }
    String clientId = Thread.currentThread().getName() + "-consumer";
    for (Map.Entry<MetricName, ? extends Metric> e : s.metrics().entrySet()) {
      MetricName name = e.getKey();
      if (LAST_POLL_METRIC.equals(name.name()) && CONSUMER_METRICS.equals(name.group())
          && clientId.equals(name.tags().get("client-id"))) {
        lastPoll.set(e.getValue());
        return e.getValue();
      }
    }
    if (warned.compareAndSet(false, true)) {
      LOG.warn("no {} metric for consumer {}: flushes cannot tell whether this thread still owns its tasks or when it polled",
          LAST_POLL_METRIC, clientId);
    }
    return null;
  }
}
