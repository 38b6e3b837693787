package dev.tier0.connect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class DurableOffsetsTest {
  private final TopicPartition p0 = new TopicPartition("notes", 0);
  private final TopicPartition p1 = new TopicPartition("notes", 1);

  @Test
  void shouldCommitTheOffsetAfterTheLastSettledRecordOfAssignedPartitionsOnly() {
    DurableOffsets offsets = new DurableOffsets();
    offsets.settled(p0, 9);
    offsets.settled(p0, 4); // a replayed, older batch never moves the offset back
    offsets.settled(p1, 0);
    assertThat(offsets.committable(List.of(p0))).isEqualTo(Map.of(p0, new OffsetAndMetadata(10)));
    assertThat(offsets.committable(List.of(p0, p1)))
        .isEqualTo(Map.of(p0, new OffsetAndMetadata(10), p1, new OffsetAndMetadata(1)));
  }

  @Test
  void shouldCommitNothingForAPartitionWithNothingSettledOrAfterItWasRevoked() {
    DurableOffsets offsets = new DurableOffsets();
    assertThat(offsets.committable(List.of(p0))).isEmpty();
    offsets.settled(p0, 3);
    offsets.forget(List.of(p0));
    assertThat(offsets.committable(List.of(p0))).isEmpty();
  }
}
