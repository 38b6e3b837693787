package dev.tier0.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tier0.memory.MappingResult.Delete;
import dev.tier0.memory.MappingResult.Rejected;
import dev.tier0.memory.MappingResult.Skipped;
import dev.tier0.memory.MappingResult.Upsert;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MemoryMapperTest {

  private static IncomingRecord record(Object key, Object value) {
    return new IncomingRecord(key, value, "memories", 2, 41L, 1_700_000_000_000L, Map.of());
  }

  private static Memory upserted(MappingResult result) {
    assertThat(result).isInstanceOf(Upsert.class);
    return ((Upsert) result).memory();
  }

  private static String rejection(MappingResult result) {
    assertThat(result).isInstanceOf(Rejected.class);
    return ((Rejected) result).reason();
  }

  @Test
  void shouldTakeAPlainStringAsTheTextAndTheKeyAsTheId() {
    Memory m = upserted(new MemoryMapper(MappingConfig.defaults()).map(record("note-1", "buy milk")));
    assertThat(m).isEqualTo(new Memory("note-1", "default", "buy milk", Map.of()));
  }

  @Test
  void shouldReadTextIdAndTenantFromNestedFieldsAndKeepTheRestAsMetadata() {
    MemoryMapper mapper = new MemoryMapper(MappingConfig.builder()
        .textField("payload.body").idStrategy(IdStrategy.FIELD).idField("uid").tenantField("tenant").build());
    Map<String, Object> value = new LinkedHashMap<>();
    value.put("uid", 42);
    value.put("tenant", "acme");
    value.put("payload", Map.of("body", "the body"));
    value.put("author", "ana");
    value.put("tags", List.of("a", "b"));
    Memory m = upserted(mapper.map(record(null, value)));
    assertThat(m.id()).isEqualTo("42");
    assertThat(m.tenant()).isEqualTo("acme");
    assertThat(m.text()).isEqualTo("the body");
    // a nested text path leaves its parent object in metadata; id and tenant fields are consumed
    assertThat(m.metadata()).containsOnlyKeys("payload", "author", "tags");
  }

  @Test
  void shouldKeepOnlyAllowListedMetadataAndHeaders() {
    MemoryMapper mapper = new MemoryMapper(MappingConfig.builder()
        .metadataFields(List.of("author")).headerFields(List.of("trace", "absent")).build());
    Map<String, Object> value = Map.of("text", "hello", "author", "ana", "secret", "x", "blob", new byte[] {1});
    IncomingRecord r = new IncomingRecord("k", value, "t", 0, 0, 0,
        Map.of("trace", "abc".getBytes(StandardCharsets.UTF_8), "other", new byte[] {1}));
    assertThat(upserted(mapper.map(r)).metadata())
        .isEqualTo(Map.of("author", "ana", "headers", Map.of("trace", "abc")));
  }

  @Test
  void shouldEncodeBytesInMetadataAsBase64() {
    Map<String, Object> value = Map.of("text", "hello", "blob", new byte[] {1, 2, 3});
    assertThat(upserted(new MemoryMapper(MappingConfig.defaults()).map(record("k", value))).metadata())
        .containsEntry("blob", "AQID");
  }

  @Test
  void shouldUseCoordinatesAsTheIdWhenAsked() {
    MemoryMapper mapper = new MemoryMapper(MappingConfig.builder().idStrategy(IdStrategy.COORDINATES).build());
    assertThat(upserted(mapper.map(record(null, "x"))).id()).isEqualTo("memories-2-41");
  }

  @Test
  void shouldDecodeUtf8BytesAndNumericKeys() {
    Memory m = upserted(new MemoryMapper(MappingConfig.defaults())
        .map(record(7L, "café ☕".getBytes(StandardCharsets.UTF_8))));
    assertThat(m.id()).isEqualTo("7");
    assertThat(m.text()).isEqualTo("café ☕");
  }

  @Test
  void shouldDeleteOnATombstoneWithAKey() {
    assertThat(new MemoryMapper(MappingConfig.defaults()).map(record("note-1", null))).isEqualTo(new Delete("note-1"));
  }

  @Test
  void shouldSkipTombstonesWhenDeletesAreOff() {
    MemoryMapper mapper = new MemoryMapper(MappingConfig.builder().deleteOnTombstone(false).build());
    assertThat(mapper.map(record("note-1", null))).isInstanceOf(Skipped.class);
  }

  @Test
  void shouldDeleteWhenTheDeleteMarkerIsTrueAsABooleanOrAString() {
    MemoryMapper mapper = new MemoryMapper(MappingConfig.builder().deleteField("__deleted").build());
    // Debezium's ExtractNewRecordState (delete.handling.mode=rewrite) writes the string "true"
    assertThat(mapper.map(record("row-3", Map.of("text", "gone", "__deleted", "true")))).isEqualTo(new Delete("row-3"));
    assertThat(mapper.map(record("row-3", Map.of("__deleted", true)))).as("no text needed to delete")
        .isEqualTo(new Delete("row-3"));
    assertThat(mapper.map(record("row-3", Map.of("__deleted", "TRUE")))).isEqualTo(new Delete("row-3"));
  }

  @Test
  void shouldDeleteByTheConfiguredIdStrategyAndANestedMarkerPath() {
    MemoryMapper mapper = new MemoryMapper(MappingConfig.builder().idStrategy(IdStrategy.FIELD).idField("uid")
        .deleteField("meta.deleted").build());
    assertThat(mapper.map(record(null, Map.of("uid", 7, "meta", Map.of("deleted", true))))).isEqualTo(new Delete("7"));
  }

  @Test
  void shouldStoreWhenTheMarkerIsFalseOrAbsentAndKeepItOutOfMetadata() {
    MemoryMapper mapper = new MemoryMapper(MappingConfig.builder().deleteField("__deleted").build());
    Memory updated = upserted(mapper.map(record("row-2", Map.of("text", "kept", "__deleted", "false", "n", 2))));
    assertThat(updated).isEqualTo(new Memory("row-2", "default", "kept", Map.of("n", 2)));
    assertThat(upserted(mapper.map(record("row-2", Map.of("text", "kept", "__deleted", false)))).metadata()).isEmpty();
    assertThat(upserted(mapper.map(record("row-2", Map.of("text", "no marker")))).text()).isEqualTo("no marker");
    Map<String, Object> nullMarker = new LinkedHashMap<>();
    nullMarker.put("text", "null marker");
    nullMarker.put("__deleted", null);
    assertThat(upserted(mapper.map(record("row-2", nullMarker))).text()).isEqualTo("null marker");
    assertThat(upserted(mapper.map(record("row-2", "a plain string has no marker"))).id()).isEqualTo("row-2");
  }

  @Test
  void shouldRejectADeleteMarkerOfTheWrongTypeWithAReasonNamingTheKey() {
    MemoryMapper mapper = new MemoryMapper(MappingConfig.builder().deleteField("__deleted").build());
    assertThat(rejection(mapper.map(record("k", Map.of("text", "t", "__deleted", 1)))))
        .contains("delete field '__deleted'").contains("record.delete.field").contains("was Integer");
    assertThat(rejection(mapper.map(record("k", Map.of("text", "t", "__deleted", "yes")))))
        .contains("delete field '__deleted'").contains("'yes'");
    assertThat(rejection(mapper.map(record(null, Map.of("__deleted", "true")))))
        .contains("no key but record.id.strategy=key");
  }

  @Test
  void shouldRefuseADeleteMarkerWithCoordinateIds() {
    assertThatThrownBy(() -> MappingConfig.builder().idStrategy(IdStrategy.COORDINATES).deleteField("__deleted")
        .build()).hasMessageContaining("record.delete.field").hasMessageContaining("coordinates");
  }

  @Test
  void shouldRejectEveryPoisonKindWithAReason() {
    MemoryMapper mapper = new MemoryMapper(MappingConfig.builder().tenantField("tenant").maxTextBytes(100).build());
    assertThat(rejection(mapper.map(record(null, null)))).contains("null value without a key");
    assertThat(rejection(mapper.map(record("k", Map.of("body", "x"))))).contains("missing text field 'text'");
    assertThat(rejection(mapper.map(record("k", " \n\t ")))).contains("blank text");
    assertThat(rejection(mapper.map(record("k", Map.of("text", 12))))).contains("must be a string, was Integer");
    assertThat(rejection(mapper.map(record("k", new byte[] {(byte) 0xC3, (byte) 0x28})))).contains("not valid UTF-8");
    assertThat(rejection(mapper.map(record("k", "x".repeat(101))))).contains("101 bytes, over the cap of 100");
    assertThat(rejection(mapper.map(record("k", Map.of("text", "t", "tenant", "a\" or tenant != \"b")))))
        .contains("invalid tenant");
    assertThat(rejection(mapper.map(record("k", Map.of("text", "t", "tenant", 5))))).contains("must be a string");
    assertThat(rejection(mapper.map(record("k".repeat(513), "t")))).contains("513 bytes, over the id limit of 512");
    assertThat(rejection(mapper.map(record(null, "t")))).contains("no key but record.id.strategy=key");
    assertThat(rejection(mapper.map(record("k", 3.5)))).contains("unsupported value type Double");
    assertThat(rejection(mapper.map(record("k", "bad \uD800 half")))).contains("unpaired UTF-16 surrogate at index 4");
    assertThat(rejection(mapper.map(record(" ", "t")))).contains("record key is blank");
  }

  /** The new user's 990-deep record killed a stream thread with a StackOverflowError inside the mapping. */
  @Test
  void shouldMapDeeplyNestedMetadataWithoutOverflowingASmallStackAndRejectWhatIsDeeperThanTheCap() throws Exception {
    MemoryMapper mapper = new MemoryMapper(MappingConfig.builder().build());
    Object[] results = new Object[2];
    Thread small = new Thread(null, () -> {
      try {
        results[0] = mapper.map(record("k", Map.of("text", "deep", "m", nested(990))));
        results[1] = mapper.map(record("k", Map.of("text", "deeper", "m", nested(MemoryMapper.MAX_METADATA_NESTING + 5))));
      } catch (Throwable t) {
        results[0] = t;
      }
    }, "small-stack", 512 * 1024);
    small.start();
    small.join();
    assertThat(results[0]).isInstanceOf(Upsert.class);
    assertThat(rejection((MappingResult) results[1])).contains("metadata nests more than 1000 levels");
  }

  private static Object nested(int levels) {
    Object value = 1;
    for (int i = 0; i < levels; i++) {
      value = List.of(value);
    }
    return value;
  }

  @Test
  void shouldCountTheTextCapInUtf8Bytes() {
    MemoryMapper mapper = new MemoryMapper(MappingConfig.builder().maxTextBytes(6).build());
    assertThat(mapper.map(record("k", "éé€"))).isInstanceOf(Rejected.class); // 2 + 2 + 3 bytes
    assertThat(mapper.map(record("k", "ééé"))).isInstanceOf(Upsert.class); // 6 bytes
  }

  @Test
  void shouldRefuseInconsistentConfiguration() {
    assertThatThrownBy(() -> MappingConfig.builder().idStrategy(IdStrategy.FIELD).build())
        .hasMessageContaining("record.id.field");
    assertThatThrownBy(() -> MappingConfig.builder().defaultTenant("a b").build()).hasMessageContaining("a b");
    assertThatThrownBy(() -> IdStrategy.parse("uuid")).hasMessageContaining("key, field or coordinates");
  }
}
