package dev.tier0.connect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class DurableOffsetsTest {
  private final TopicPartition p0 = new TopicPartition("notes", 0);
  private final TopicPartition p1 = new TopicPartition("notes", 1);

  private static OffsetAndMetadata at(long offset) {
    return new OffsetAndMetadata(offset);
  }

  private static void deliver(DurableOffsets offsets, TopicPartition partition, long from, long to) {
    for (long offset = from; offset <= to; offset++) {
      offsets.delivered(partition, offset);
    }
  }

  @Test
  void shouldCommitTheOffsetAfterTheLastSettledRecordOfAssignedPartitionsOnly() {
    DurableOffsets offsets = new DurableOffsets();
    deliver(offsets, p0, 0, 9);
    deliver(offsets, p1, 0, 0);
    offsets.settled(p0, 9);
    offsets.settled(p0, 4); // a replayed, older batch never moves the offset back
    offsets.settled(p1, 0);
    assertThat(offsets.committable(Map.of(p0, at(10)))).isEqualTo(Map.of(p0, at(10)));
    assertThat(offsets.committable(Map.of(p0, at(10), p1, at(1)))).isEqualTo(Map.of(p0, at(10), p1, at(1)));
  }

  @Test
  void shouldCommitOnlyWhatIsSettledWhileRecordsAreInFlight() {
    DurableOffsets offsets = new DurableOffsets();
    deliver(offsets, p0, 0, 5);
    assertThat(offsets.committable(Map.of(p0, at(6)))).as("nothing settled yet").isEmpty();
    offsets.settled(p0, 3);
    assertThat(offsets.committable(Map.of(p0, at(6)))).isEqualTo(Map.of(p0, at(4)));
  }

  @Test
  void shouldCommitPastRecordsATransformDroppedOnceEverythingDeliveredIsSettled() {
    DurableOffsets offsets = new DurableOffsets();
    deliver(offsets, p0, 0, 9);
    offsets.settled(p0, 9);
    // the worker consumed 15: offsets 10..14 never reached put()
    assertThat(offsets.committable(Map.of(p0, at(15), p1, at(7))))
        .as("p1's records were all dropped").isEqualTo(Map.of(p0, at(15), p1, at(7)));
    offsets.forget(java.util.List.of(p0));
    deliver(offsets, p0, 20, 20);
    assertThat(offsets.committable(Map.of(p0, at(21)))).as("reassigned, one record in flight").isEmpty();
  }
}
