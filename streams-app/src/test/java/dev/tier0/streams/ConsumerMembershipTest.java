package dev.tier0.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ConsumerMembership} reads the calling thread's consumer metrics, registered here as Kafka registers them
 * (same names, groups and client-id tag, in a real {@link Metrics} registry), with ages the test sets.
 */
class ConsumerMembershipTest {
  private final Metrics registry = new Metrics();
  private final AtomicLong pollSecondsAgo = new AtomicLong(-1);
  private final AtomicLong heartbeatSecondsAgo = new AtomicLong(-1);
  private final ConsumerMembership membership =
      new ConsumerMembership(Duration.ofMinutes(5), Duration.ofSeconds(45));

  ConsumerMembershipTest() {
    register(Thread.currentThread().getName() + "-consumer");
    membership.bind(registry::metrics, () -> KafkaStreams.State.RUNNING);
  }

  private void register(String clientId) {
    registry.addMetric(registry.metricName(ConsumerMembership.LAST_POLL_METRIC, ConsumerMembership.CONSUMER_METRICS,
        "", Map.of("client-id", clientId)), (config, now) -> pollSecondsAgo.get());
    registry.addMetric(registry.metricName(ConsumerMembership.LAST_HEARTBEAT_METRIC,
        ConsumerMembership.COORDINATOR_METRICS, "", Map.of("client-id", clientId)),
        (config, now) -> heartbeatSecondsAgo.get());
  }

  @AfterEach
  void close() {
    registry.close();
  }

  /**
   * A link to the broker cut while Milvus still answers: the thread keeps polling (nothing comes back) and its
   * wall-clock punctuations would keep flushing, but its heartbeats stop and the broker evicts it after
   * session.timeout.ms, giving its tasks to another instance. Before, only the poll's age was read, and such a
   * thread stayed a member for as long as it polled.
   */
  @Test
  void aThreadWhoseHeartbeatsStoppedForMostOfTheSessionTimeoutIsNoLongerAMember() {
    pollSecondsAgo.set(0);
    heartbeatSecondsAgo.set(3);
    assertThat(membership.isMember()).isTrue();
    heartbeatSecondsAgo.set(34); // 35 s with the floor's second: under 80 % of 45 s
    assertThat(membership.isMember()).isTrue();
    heartbeatSecondsAgo.set(35);
    assertThat(membership.isMember()).as("36 s of 45 without a heartbeat").isFalse();
    assertThat(membership.sinceLastPoll()).as("polling all the while").isZero();
  }

  @Test
  void aThreadThatHasNotPolledForMostOfTheIntervalIsNoLongerAMember() {
    heartbeatSecondsAgo.set(1);
    pollSecondsAgo.set(238);
    assertThat(membership.isMember()).isTrue();
    assertThat(membership.sinceLastPoll()).hasSeconds(238);
    pollSecondsAgo.set(239);
    assertThat(membership.isMember()).as("240 s of 300 without a poll").isFalse();
  }

  @Test
  void beforeItsFirstPollAndHeartbeatAThreadIsAMemberThatHasJustPolled() {
    assertThat(membership.isMember()).isTrue();
    assertThat(membership.sinceLastPoll()).isZero();
  }

  /** Another thread's consumer (or none) says nothing about this one: the guard lets it through, as unbound. */
  @Test
  void aThreadWithoutAConsumerOfItsOwnIsNotJudgedByAnotherThreadsMetrics() throws Exception {
    pollSecondsAgo.set(1000);
    heartbeatSecondsAgo.set(1000);
    boolean[] member = new boolean[1];
    Duration[] sincePoll = new Duration[1];
    Thread other = new Thread(() -> {
      member[0] = membership.isMember();
      sincePoll[0] = membership.sinceLastPoll();
    }, "tier0-search-0_1");
    other.start();
    other.join();
    assertThat(member[0]).isTrue();
    assertThat(sincePoll[0]).isZero();
    assertThat(membership.isMember()).as("the thread whose consumer it is").isFalse();
  }

  @Test
  void aCloseIsForGoodOnlyWhenTheAppIsShuttingDown() {
    KafkaStreams.State[] state = {KafkaStreams.State.REBALANCING};
    membership.bind(registry::metrics, () -> state[0]);
    assertThat(membership.closingForGood()).isFalse();
    state[0] = KafkaStreams.State.PENDING_SHUTDOWN;
    assertThat(membership.closingForGood()).isTrue();
  }
}
