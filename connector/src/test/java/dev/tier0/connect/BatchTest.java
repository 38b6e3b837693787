package dev.tier0.connect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tier0.ingest.Source;
import dev.tier0.ingest.WriteRequest;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

class BatchTest {
  private static final TopicPartition P0 = new TopicPartition("notes", 0);
  private static final TopicPartition P1 = new TopicPartition("notes", 1);

  private static SinkRecord record(int partition, long offset) {
    return new SinkRecord("notes", partition, null, null, null, "x", offset);
  }

  @Test
  void shouldSettleTheHighestOffsetOfEachPartitionIncludingRecordsWithNothingToWrite() {
    SinkRecord a = record(0, 10);
    SinkRecord b = record(1, 3);
    SinkRecord settled = record(0, 11);
    SinkRecord c = record(1, 4);
    Ownership ownership = new Ownership();
    ownership.open(List.of(P0, P1));
    Batch batch = new Batch(List.of(a, b, settled, c), List.of(a, b, c), List.of(
        new WriteRequest.Delete("a", new Source("notes", 0, 10, 0)),
        new WriteRequest.Delete("b", new Source("notes", 1, 3, 0)),
        new WriteRequest.Delete("c", new Source("notes", 1, 4, 0))), ownership);
    assertThat(batch.size()).isEqualTo(4);
    assertThat(batch.lastOffsets()).containsExactlyInAnyOrderEntriesOf(Map.of(
        new TopicPartition("notes", 0), 11L, new TopicPartition("notes", 1), 4L));
    assertThat(batch.rejections()).isEmpty();
  }

  @Test
  void aRevokedPartitionIsNeitherWrittenNorSettledEvenAfterItComesBack() {
    SinkRecord a = record(0, 10);
    SinkRecord b = record(1, 3);
    Ownership ownership = new Ownership();
    ownership.open(List.of(P0, P1));
    WriteRequest toA = new WriteRequest.Delete("a", new Source("notes", 0, 10, 0));
    WriteRequest toB = new WriteRequest.Delete("b", new Source("notes", 1, 3, 0));
    Batch batch = new Batch(List.of(a, b), List.of(a, b), List.of(toA, toB), ownership);
    ownership.close(List.of(P1));
    assertThat(batch.ownsSourceOf(toA)).isTrue();
    assertThat(batch.ownsSourceOf(toB)).isFalse();
    assertThat(batch.lastOffsets()).containsExactlyEntriesOf(Map.of(P0, 10L));
    ownership.open(List.of(P1)); // the same partition again: a new generation, the old batch stays fenced
    assertThat(batch.ownsSourceOf(toB)).isFalse();
    assertThat(batch.lastOffsets()).containsExactlyEntriesOf(Map.of(P0, 10L));
    ownership.closeAll(); // the task stops
    assertThat(batch.ownsSourceOf(toA)).isFalse();
    assertThat(batch.lastOffsets()).isEmpty();
  }
}
