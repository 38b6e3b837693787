package dev.tier0.streams.ingest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tier0.ingest.Source;
import dev.tier0.ingest.WriteRequest;
import dev.tier0.memory.Memory;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PendingRecordSerdeTest {
  private final PendingRecordSerde serde = new PendingRecordSerde();

  private PendingRecord roundTrip(PendingRecord write) {
    return serde.deserializer().deserialize("t", serde.serializer().serialize("t", write));
  }

  @Test
  void shouldRoundTripAnUpsertWithNestedMetadataItsSourceCoordinatesAndTheRawRecord() {
    WriteRequest upsert = new WriteRequest.Upsert(
        new Memory("id-1", "acme", "text \uD83D\uDE00 \u4E2D", Map.of("kind", "note", "tags", List.of("a", "b"),
            "nested", Map.of("x", true))), new Source("memories", 3, 42L, 1_700_000_000_000L));
    PendingRecord back = roundTrip(new PendingRecord(upsert, "k".getBytes(UTF_8), "{\"raw\":1}".getBytes(UTF_8),
        List.of(new PendingRecord.RawHeader("h", "v".getBytes(UTF_8)), new PendingRecord.RawHeader("n", null))));
    assertThat(back.request()).isEqualTo(upsert);
    assertThat(back.rawKey()).isEqualTo("k".getBytes(UTF_8));
    assertThat(back.rawValue()).isEqualTo("{\"raw\":1}".getBytes(UTF_8));
    assertThat(back.rawHeaders()).hasSize(2);
    assertThat(back.rawHeaders().get(0).value()).isEqualTo("v".getBytes(UTF_8));
    assertThat(back.rawHeaders().get(1).value()).isNull();
  }

  @Test
  void shouldRoundTripADelete() {
    WriteRequest delete = new WriteRequest.Delete("gone", new Source("memories", 0, 7L, 5L));
    assertThat(roundTrip(new PendingRecord(delete, null, null, List.of())).request()).isEqualTo(delete);
  }

  @Test
  void shouldReadEntriesAnEarlierVersionWroteToTheChangelog() {
    String upsert = "{\"op\":\"upsert\",\"id\":\"a\",\"tenant\":\"t1\",\"text\":\"hello\",\"metadata\":{\"k\":1},"
        + "\"topic\":\"memories\",\"partition\":2,\"offset\":9,\"timestamp\":100}";
    PendingRecord old = serde.deserializer().deserialize("t", upsert.getBytes(UTF_8));
    assertThat(old.request()).isEqualTo(new WriteRequest.Upsert(new Memory("a", "t1", "hello", Map.of("k", 1)),
        new Source("memories", 2, 9, 100)));
    assertThat(old.rawValue()).isNull();
    PendingRecord oldDelete = serde.deserializer().deserialize("t",
        "{\"op\":\"delete\",\"id\":\"gone\"}".getBytes(UTF_8));
    assertThat(oldDelete.request().id()).isEqualTo("gone");
  }

  @Test
  void shouldWriteNonFiniteMetadataNumbersAsTheStringsTheWriterStores() {
    WriteRequest upsert = new WriteRequest.Upsert(new Memory("i", "t", "x", Map.of("r", Double.POSITIVE_INFINITY)),
        new Source("m", 0, 0, 0));
    Memory back = ((WriteRequest.Upsert) roundTrip(new PendingRecord(upsert, null, null, List.of())).request())
        .memory();
    assertThat(back.metadata()).containsEntry("r", "Infinity");
  }

  @Test
  void shouldKeepNullsAsNulls() {
    assertThat(serde.serializer().serialize("t", null)).isNull();
    assertThat(serde.deserializer().deserialize("t", null)).isNull();
  }
}
