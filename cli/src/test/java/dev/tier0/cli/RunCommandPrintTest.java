package dev.tier0.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tier0.streams.search.SearchHit;
import dev.tier0.streams.search.SearchReply;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What `./tier0 run`'s prompt prints for a hit: the passage, where it sits, and whether the memory was truncated. */
class RunCommandPrintTest {
  private static String printed(SearchHit hit) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    RunCommand.print(new SearchReply.Hits("c1", "all-minilm-l6-v2", List.of(hit),
        new SearchReply.Timings(1.0, 2.0), "dense"), out);
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aHitOnATruncatedMemorySaysSo() {
    String text = "first passage. second passage.";
    SearchHit hit = new SearchHit("big", 0.5f, text, Map.of(), "second passage.", 1, 128, 15, 30, true);
    assertThat(printed(hit)).contains("big").contains("[passage 2/128, truncated memory]");
  }

  @Test
  void aMemoryCutToOnePassageStillSaysItWasTruncated() {
    SearchHit hit = new SearchHit("one", 0.5f, "kept part", Map.of(), "kept part", 0, 1, 0, 9, true);
    assertThat(printed(hit)).contains("[truncated memory]");
  }

  @Test
  void aWholeShortMemoryHasNoLocation() {
    assertThat(printed(new SearchHit("s", 0.5f, "short note", Map.of()))).doesNotContain("[");
  }
}
