package dev.tier0.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tier0.embed.EngineMode;
import dev.tier0.memory.config.SharedConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What model.mode=auto gives the streams app's engine: throughput when it only ingests, latency with search. */
class AutoModeTest {
  private static EngineMode engineMode(Map<String, String> settings) {
    AppConfig config = new AppConfig(settings);
    return SharedConfig.engineOptions(config, StreamsApp.autoMode(config)).mode();
  }

  @Test
  void anAppThatOnlyIngestsRunsThroughputModeLikeTheConnector() {
    assertThat(engineMode(Map.of("ingest.topic", "memories"))).isEqualTo(EngineMode.THROUGHPUT);
    assertThat(engineMode(Map.of("ingest.topic", "memories", "search.request.topic", " ")))
        .as("a blank search topic is no search").isEqualTo(EngineMode.THROUGHPUT);
  }

  @Test
  void anAppThatServesSearchKeepsLatencyModeSoAQueryRunsOnEveryCore() {
    assertThat(engineMode(Map.of("ingest.topic", "memories", "search.request.topic", "requests")))
        .isEqualTo(EngineMode.LATENCY);
    assertThat(engineMode(Map.of("search.request.topic", "requests"))).isEqualTo(EngineMode.LATENCY);
  }

  @Test
  void anExplicitModeWinsEitherWay() {
    assertThat(engineMode(Map.of("ingest.topic", "memories", "model.mode", "latency"))).isEqualTo(EngineMode.LATENCY);
    assertThat(engineMode(Map.of("ingest.topic", "m", "search.request.topic", "r", "model.mode", "throughput")))
        .isEqualTo(EngineMode.THROUGHPUT);
  }
}
