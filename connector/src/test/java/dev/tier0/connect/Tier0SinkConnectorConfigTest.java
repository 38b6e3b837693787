package dev.tier0.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tier0.ingest.RetryPolicy;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class Tier0SinkConnectorConfigTest {

  @Test
  void shouldDefaultToModestBatchesAndBoundedBuffering() {
    Tier0SinkConnectorConfig config = new Tier0SinkConnectorConfig(Map.of());
    assertThat(config.writeBatchMaxRecords()).isEqualTo(256);
    assertThat(config.writeLinger()).isEqualTo(Duration.ofMillis(200));
    assertThat(config.maxBufferedRecords()).isEqualTo(2048);
    assertThat(config.retryPolicy()).isEqualTo(new RetryPolicy(5, Duration.ofMillis(200), Duration.ofSeconds(10)));
    assertThat(config.modelDir()).isEmpty();
    assertThat(config.toleratesAllErrors()).isFalse();
  }

  @Test
  void shouldReadTheWorkersErrorToleranceWithoutDefiningIt() {
    assertThat(new Tier0SinkConnectorConfig(Map.of("errors.tolerance", "all")).toleratesAllErrors()).isTrue();
    assertThat(new Tier0SinkConnectorConfig(Map.of("errors.tolerance", "none")).toleratesAllErrors()).isFalse();
    assertThat(Tier0SinkConnectorConfig.CONFIG_DEF.names()).doesNotContain("errors.tolerance");
  }

  @Test
  void shouldRejectAWriteBatchOfZero() {
    assertThatThrownBy(() -> new Tier0SinkConnectorConfig(Map.of("write.batch.max.records", "0")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("write.batch.max.records")
        .hasMessageContaining("Value must be at least 1");
  }

  @Test
  void shouldDoubleTheBackoffUpToItsCap() {
    RetryPolicy policy = new RetryPolicy(5, Duration.ofMillis(200), Duration.ofMillis(1000));
    assertThat(policy.delayBefore(1)).isEqualTo(Duration.ofMillis(200));
    assertThat(policy.delayBefore(2)).isEqualTo(Duration.ofMillis(400));
    assertThat(policy.delayBefore(3)).isEqualTo(Duration.ofMillis(800));
    assertThat(policy.delayBefore(4)).isEqualTo(Duration.ofMillis(1000));
    assertThat(policy.delayBefore(60)).isEqualTo(Duration.ofMillis(1000));
  }
}
