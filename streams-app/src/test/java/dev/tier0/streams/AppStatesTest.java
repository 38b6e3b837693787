package dev.tier0.streams;

import static org.apache.kafka.streams.KafkaStreams.State.ERROR;
import static org.apache.kafka.streams.KafkaStreams.State.PENDING_SHUTDOWN;
import static org.apache.kafka.streams.KafkaStreams.State.REBALANCING;
import static org.apache.kafka.streams.KafkaStreams.State.RUNNING;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

class AppStatesTest {
  private static Map<String, KafkaStreams.State> states(KafkaStreams.State ingest, KafkaStreams.State search) {
    Map<String, KafkaStreams.State> m = new LinkedHashMap<>();
    m.put("ingest", ingest);
    m.put("search", search);
    return m;
  }

  @Test
  void shouldBeRunningOnlyWhenEveryInstanceIs() {
    assertThat(AppStates.combined(states(RUNNING, RUNNING))).isEqualTo(RUNNING);
    assertThat(AppStates.combined(Map.of("search", RUNNING))).isEqualTo(RUNNING);
    assertThat(AppStates.combined(states(RUNNING, REBALANCING))).isEqualTo(REBALANCING);
    assertThat(AppStates.combined(states(REBALANCING, RUNNING))).isEqualTo(REBALANCING);
  }

  @Test
  void shouldReportTheInstanceFurthestFromServing() {
    assertThat(AppStates.combined(states(ERROR, RUNNING))).isEqualTo(ERROR);
    assertThat(AppStates.combined(states(PENDING_SHUTDOWN, REBALANCING))).isEqualTo(PENDING_SHUTDOWN);
  }
}
