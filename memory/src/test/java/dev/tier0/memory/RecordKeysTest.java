package dev.tier0.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordKeysTest {
  @Test
  void shouldNameAMemoryByTheOnlyFieldOfAStructuredKey() {
    assertThat(RecordKeys.idValue(Map.of("id", 42))).isEqualTo(42);
    assertThat(RecordKeys.idValue(Map.of("uid", "a-1"))).isEqualTo("a-1");
  }

  @Test
  void shouldLeaveEveryOtherKeyForTheMapperToJudge() {
    assertThat(RecordKeys.idValue("k")).isEqualTo("k");
    assertThat(RecordKeys.idValue(null)).isNull();
    Map<String, Object> two = Map.of("a", 1, "b", 2);
    assertThat(RecordKeys.idValue(two)).isSameAs(two);
    Map<String, Object> nested = Map.of("pk", Map.of("id", 1));
    assertThat(RecordKeys.idValue(nested)).isSameAs(nested);
  }
}
