package dev.tier0.streams.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tier0.memory.Memory;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PendingWriteSerdeTest {
  private final PendingWriteSerde serde = new PendingWriteSerde();

  private PendingWrite roundTrip(PendingWrite write) {
    return serde.deserializer().deserialize("t", serde.serializer().serialize("t", write));
  }

  @Test
  void shouldRoundTripAnUpsertWithNestedMetadataAndItsSourceCoordinates() {
    PendingWrite upsert = new PendingWrite.Upsert(
        new Memory("id-1", "acme", "text \uD83D\uDE00 \u4E2D", Map.of("kind", "note", "tags", List.of("a", "b"),
            "nested", Map.of("x", true))), "memories", 3, 42L, 1_700_000_000_000L);
    assertThat(roundTrip(upsert)).isEqualTo(upsert);
  }

  @Test
  void shouldRoundTripADelete() {
    assertThat(roundTrip(new PendingWrite.Delete("gone"))).isEqualTo(new PendingWrite.Delete("gone"));
  }

  @Test
  void shouldKeepNullsAsNulls() {
    assertThat(serde.serializer().serialize("t", null)).isNull();
    assertThat(serde.deserializer().deserialize("t", null)).isNull();
  }
}
