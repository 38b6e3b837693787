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

  private static SinkRecord record(int partition, long offset) {
    return new SinkRecord("notes", partition, null, null, null, "x", offset);
  }

  @Test
  void shouldSettleTheHighestOffsetOfEachPartitionIncludingRecordsWithNothingToWrite() {
    SinkRecord a = record(0, 10);
    SinkRecord b = record(1, 3);
    SinkRecord settled = record(0, 11);
    SinkRecord c = record(1, 4);
    Batch batch = new Batch(List.of(a, b, settled, c), List.of(a, b, c), List.of(
        new WriteRequest.Delete("a", new Source("notes", 0, 10, 0)),
        new WriteRequest.Delete("b", new Source("notes", 1, 3, 0)),
        new WriteRequest.Delete("c", new Source("notes", 1, 4, 0))));
    assertThat(batch.size()).isEqualTo(4);
    assertThat(batch.lastOffsets()).containsExactlyInAnyOrderEntriesOf(Map.of(
        new TopicPartition("notes", 0), 11L, new TopicPartition("notes", 1), 4L));
    assertThat(batch.rejections()).isEmpty();
  }
}
