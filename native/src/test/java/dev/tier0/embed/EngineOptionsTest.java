package dev.tier0.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** What the engine options resolve to when a setting is left to the engine (0): batch size, runs, threads. */
class EngineOptionsTest {
  @Test
  void theBatchIsTheModesWhenLeftToTheEngine() {
    assertThat(EngineOptions.defaults().batchMaxRecords()).isZero();
    assertThat(EngineOptions.defaults().effectiveBatchMaxRecords()).isEqualTo(32);
    assertThat(EngineOptions.builder().mode(EngineMode.THROUGHPUT).build().effectiveBatchMaxRecords())
        .as("throughput mode's measured batch per run").isEqualTo(16);
  }

  @Test
  void aBatchSizeSetExplicitlyWinsInEitherMode() {
    for (EngineMode mode : EngineMode.values()) {
      assertThat(EngineOptions.builder().mode(mode).batchMaxRecords(32).build().effectiveBatchMaxRecords())
          .as(mode.name()).isEqualTo(32);
      assertThat(EngineOptions.builder().mode(mode).batchMaxRecords(5).build().effectiveBatchMaxRecords())
          .as(mode.name()).isEqualTo(5);
    }
    assertThatThrownBy(() -> EngineOptions.builder().batchMaxRecords(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batchMaxRecords must be >= 0");
  }

  @Test
  void optionsThatRunTheSameBatchAreEqualSoTheyShareOneLoadedModel() {
    EngineOptions latencyDefault = EngineOptions.defaults();
    assertThat(latencyDefault).isEqualTo(latencyDefault.toBuilder().batchMaxRecords(32).build())
        .hasSameHashCodeAs(latencyDefault.toBuilder().batchMaxRecords(32).build());
    EngineOptions throughput = EngineOptions.builder().mode(EngineMode.THROUGHPUT).build();
    assertThat(throughput).isEqualTo(throughput.toBuilder().batchMaxRecords(16).build())
        .isNotEqualTo(throughput.toBuilder().batchMaxRecords(32).build());
  }

  @Test
  void throughputModeSplitsTheCoresAmongItsRunsAndLatencyModeLeavesThemToOrt() {
    EngineOptions throughput = EngineOptions.builder().mode(EngineMode.THROUGHPUT).build();
    assertThat(throughput.effectiveRuns(2)).isEqualTo(2);
    assertThat(throughput.effectiveIntraOpThreads(2)).isEqualTo(1);
    assertThat(throughput.toBuilder().concurrentRuns(2).build().effectiveIntraOpThreads(8)).isEqualTo(4);
    assertThat(EngineOptions.defaults().effectiveRuns(8)).isEqualTo(1);
    assertThat(EngineOptions.defaults().effectiveIntraOpThreads(8)).isZero();
  }
}
