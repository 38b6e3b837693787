package dev.tier0.streams;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ThreadMembership} read off the calling thread's own main consumer ({@code <thread name>-consumer}, Kafka
 * Streams' naming), from two of its metrics, whole seconds, floored:
 * <ul>
 *   <li>{@code last-poll-seconds-ago}: a consumer that does not poll within {@code max.poll.interval.ms} leaves the
 *       group (a stream thread held in a long flush);</li>
 *   <li>{@code last-heartbeat-seconds-ago} (when the coordinator last got a heartbeat sent): a consumer whose
 *       heartbeats stop for {@code session.timeout.ms} is evicted (a link to the broker cut while Milvus is still
 *       reachable: the thread polls, gets nothing, and its wall-clock punctuations would still flush).</li>
 * </ul>
 * The thread is taken for a member while each is, a second of rounding added, under {@value #SAFE_PERCENT} % of its
 * limit, leaving the rest as a margin for a write in flight. Before {@link #bind}, every thread is a member and every
 * close is for good.
 */
public final class ConsumerMembership implements ThreadMembership {
  private static final Logger LOG = LoggerFactory.getLogger(ConsumerMembership.class);
  static final String LAST_POLL_METRIC = "last-poll-seconds-ago";
  static final String CONSUMER_METRICS = "consumer-metrics";
  static final String LAST_HEARTBEAT_METRIC = "last-heartbeat-seconds-ago";
  static final String COORDINATOR_METRICS = "consumer-coordinator-metrics";
  static final int SAFE_PERCENT = 80;

  private final long pollLimitMs;
  private final long heartbeatLimitMs;
  /** Per thread, not per name: a replaced stream thread can take a dead one's name, with a new consumer. */
  private final ThreadLocal<ThreadMetrics> cached = new ThreadLocal<>();
  private final AtomicBoolean warned = new AtomicBoolean();
  private volatile Supplier<? extends Map<MetricName, ? extends Metric>> metrics;
  private volatile Supplier<KafkaStreams.State> state;

  /**
   * @param maxPollInterval the stream threads' main consumer {@code max.poll.interval.ms}; > 0
   * @param sessionTimeout  its {@code session.timeout.ms}; > 0
   */
  public ConsumerMembership(Duration maxPollInterval, Duration sessionTimeout) {
    this.pollLimitMs = safeLimit(maxPollInterval, "max.poll.interval.ms");
    this.heartbeatLimitMs = safeLimit(sessionTimeout, "session.timeout.ms");
  }

  private static long safeLimit(Duration limit, String key) {
    if (limit.isNegative() || limit.isZero()) {
      throw new IllegalArgumentException(key + " must be > 0, got " + limit);
    }
    return limit.toMillis() * SAFE_PERCENT / 100;
  }

  /** From now on, answers for the stream threads of {@code streams}. */
  public void bind(KafkaStreams streams) {
    bind(streams::metrics, streams::state);
  }

  /** The same, from a client's metrics and state as they are read at each call (a test's, or a Kafka Streams'). */
  void bind(Supplier<? extends Map<MetricName, ? extends Metric>> metrics, Supplier<KafkaStreams.State> state) {
    this.state = state;
    this.metrics = metrics;
  }

  /**
   * Whether the calling stream thread polled and sent a heartbeat recently enough to still be in the group.
   *
   * @return true also when unbound, or for a metric that cannot be found (logged once): the guard then lets writes
   *     through as before it existed
   */
  @Override
  public boolean isMember() {
    ThreadMetrics m = threadMetrics();
    // the metrics' floor hides up to a second: count it here, where a wrong yes writes as a zombie
    return m == null || (secondsAgo(m.lastPoll) + 1) * 1000 < pollLimitMs
        && (secondsAgo(m.lastHeartbeat) + 1) * 1000 < heartbeatLimitMs;
  }

  /**
   * @return the metric's whole seconds, floored (the true age is up to a second more: budgets are set with that
   *     margin, and a budget under a second still lets a flush start right after a poll); zero before the first
   *     poll, when unbound, or when the thread's consumer metric cannot be found (logged once)
   */
  @Override
  public Duration sinceLastPoll() {
    ThreadMetrics m = threadMetrics();
    return m == null ? Duration.ZERO : Duration.ofSeconds(Math.max(0, secondsAgo(m.lastPoll)));
  }

  /** -1 for a metric not found or not started (no poll, no heartbeat sent yet). */
  private static long secondsAgo(Metric metric) {
    return metric == null ? -1 : ((Number) metric.metricValue()).longValue();
  }

  @Override
  public boolean closingForGood() {
    Supplier<KafkaStreams.State> s = state;
    if (s == null) {
      return true;
    }
    KafkaStreams.State now = s.get();
    return now == KafkaStreams.State.PENDING_SHUTDOWN || now == KafkaStreams.State.NOT_RUNNING
        || now == KafkaStreams.State.PENDING_ERROR || now == KafkaStreams.State.ERROR;
  }

  /** The calling thread's consumer metrics, looked up once per thread; null when unbound. */
  private ThreadMetrics threadMetrics() {
    Supplier<? extends Map<MetricName, ? extends Metric>> all = metrics;
    if (all == null) {
      return null;
    }
    ThreadMetrics found = cached.get();
    if (found != null) {
      return found;
    }
    String clientId = Thread.currentThread().getName() + "-consumer";
    Metric lastPoll = null;
    Metric lastHeartbeat = null;
    for (Map.Entry<MetricName, ? extends Metric> e : all.get().entrySet()) {
      MetricName name = e.getKey();
      if (clientId.equals(name.tags().get("client-id"))) {
        if (LAST_POLL_METRIC.equals(name.name()) && CONSUMER_METRICS.equals(name.group())) {
          lastPoll = e.getValue();
        } else if (LAST_HEARTBEAT_METRIC.equals(name.name()) && COORDINATOR_METRICS.equals(name.group())) {
          lastHeartbeat = e.getValue();
        }
      }
    }
    if ((lastPoll == null || lastHeartbeat == null) && warned.compareAndSet(false, true)) {
      LOG.warn("consumer {} has no {}: flushes cannot tell whether this thread still owns its tasks{}", clientId,
          lastPoll == null ? LAST_POLL_METRIC : LAST_HEARTBEAT_METRIC,
          lastPoll == null ? " or when it polled" : " after a lost link to the broker");
    }
    if (lastPoll == null && lastHeartbeat == null) {
      return null; // not a stream thread of this client: asked again next time
    }
    found = new ThreadMetrics(lastPoll, lastHeartbeat);
    cached.set(found);
    return found;
  }

  private record ThreadMetrics(Metric lastPoll, Metric lastHeartbeat) {
  }
}
