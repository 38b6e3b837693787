package dev.tier0.streams;

import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The app's one state out of its Kafka Streams instances' (ingest and search run as separate instances, issue 15):
 * RUNNING only when every instance is, otherwise the state of the instance furthest from serving, so /health and
 * {@link StreamsApp#state()} never report ready while one side is down.
 */
final class AppStates {
  /** Worst first: an instance in an earlier state decides the app's state. */
  private static final List<KafkaStreams.State> WORST_FIRST = List.of(KafkaStreams.State.ERROR,
      KafkaStreams.State.PENDING_ERROR, KafkaStreams.State.NOT_RUNNING, KafkaStreams.State.PENDING_SHUTDOWN,
      KafkaStreams.State.CREATED, KafkaStreams.State.REBALANCING, KafkaStreams.State.RUNNING);

  private AppStates() {}

  /**
   * @param states each instance's state by its name ("ingest", "search"); at least one
   * @return RUNNING when all are RUNNING, else the worst of them
   */
  static KafkaStreams.State combined(Map<String, KafkaStreams.State> states) {
    if (states.isEmpty()) {
      throw new IllegalArgumentException("no streams instance");
    }
    return states.values().stream().min((a, b) -> WORST_FIRST.indexOf(a) - WORST_FIRST.indexOf(b)).orElseThrow();
  }
}
