package dev.tier0.connect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tier0.memory.IncomingRecord;
import dev.tier0.memory.Memory;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

class BatchTest {

  private static SinkRecord record(int partition, long offset) {
    return new SinkRecord("notes", partition, null, null, null, "x", offset);
  }

  private static Entry.Write write(String id, int partition, long offset) {
    SinkRecord record = record(partition, offset);
    return new Entry.Write(record, new IncomingRecord(id, "x", "notes", partition, offset, 0, Map.of()),
        new Memory(id, "default", "text of " + id + "@" + offset, Map.of()));
  }

  private static Entry.Remove remove(String id, int partition, long offset) {
    return new Entry.Remove(record(partition, offset), id);
  }

  @Test
  void shouldApplyOnlyTheLastOperationOnEachId() {
    Entry.Write a1 = write("a", 0, 1);
    Entry.Remove aGone = remove("a", 0, 2);
    Entry.Remove bGone = remove("b", 0, 3);
    Entry.Write b4 = write("b", 0, 4);
    Entry.Write c5 = write("c", 1, 5);
    Entry.Write c6 = write("c", 1, 6);
    Batch batch = new Batch(List.of(a1, aGone, bGone, b4, c5, new Entry.Settled(record(1, 7)), c6));

    assertThat(batch.effectiveOperations()).containsExactly(aGone, b4, c6);
    assertThat(batch.deletes()).containsExactly("a");
    assertThat(batch.size()).isEqualTo(7);
  }

  @Test
  void shouldSettleTheHighestOffsetOfEachPartitionIncludingSettledRecords() {
    Batch batch = new Batch(List.of(write("a", 0, 10), write("b", 1, 3), new Entry.Settled(record(0, 11)),
        remove("c", 1, 4)));
    assertThat(batch.lastOffsets()).containsExactlyInAnyOrderEntriesOf(Map.of(
        new TopicPartition("notes", 0), 11L, new TopicPartition("notes", 1), 4L));
  }

  @Test
  void shouldDropARejectedOperationAndKeepItsReason() {
    Entry.Write a = write("a", 0, 1);
    Entry.Write b = write("b", 0, 2);
    Batch batch = new Batch(List.of(a, b));
    batch.prepared(List.of(new WritePipeline.Prepared(a, StoredMemories.of(a, embedding(), "m")),
        new WritePipeline.Prepared(b, StoredMemories.of(b, embedding(), "m"))));

    batch.reject(a, "refused", null);

    assertThat(batch.effectiveOperations()).containsExactly(b);
    assertThat(batch.upserts()).extracting(r -> r.id()).containsExactly("b");
    assertThat(batch.rejections()).singleElement().satisfies(r -> {
      assertThat(r.record()).isSameAs(a.record());
      assertThat(r.reason()).isEqualTo("refused");
    });
    assertThat(batch.rowOf(b).text()).isEqualTo("text of b@2");
  }

  @Test
  void shouldStoreTheSourceCoordinatesAndModelWithTheMemory() {
    Entry.Write a = write("a", 2, 9);
    var row = StoredMemories.of(a, embedding(), "all-minilm-l6-v2");
    assertThat(row.id()).isEqualTo("a");
    assertThat(row.topic()).isEqualTo("notes");
    assertThat(row.partition()).isEqualTo(2);
    assertThat(row.offset()).isEqualTo(9L);
    assertThat(row.model()).isEqualTo("all-minilm-l6-v2");
    assertThat(row.vector()).containsExactly(0.6f, 0.8f);
  }

  private static dev.tier0.embed.Embedding embedding() {
    return new dev.tier0.embed.Embedding(new float[] {0.6f, 0.8f}, 3, false);
  }
}
