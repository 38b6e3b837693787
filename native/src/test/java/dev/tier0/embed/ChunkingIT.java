package dev.tier0.embed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link EmbeddingEngine#passages} on real tokenizers: MiniLM (WordPiece, 256 tokens) and the tiny Qwen3 (byte-level
 * BPE, max_length 32, for chunk arithmetic on small numbers).
 */
class ChunkingIT {
  static String longText(int words, long seed) {
    String[] vocab = {"the", "garden", "meeting", "notes", "about", "budget", "river", "window", "quietly",
        "seventeen", "forecast", "coffee", "blue", "station", "report", "moved", "because", "later"};
    Random r = new Random(seed);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < words; i++) {
      sb.append(vocab[r.nextInt(vocab.length)]);
      sb.append(i % 13 == 12 ? ". " : " ");
    }
    return sb.toString().trim();
  }

  /** The passages' spans. */
  static List<TextSpan> chunk(EmbeddingEngine engine, String text, int maxTokens, int overlapTokens) {
    return engine.passages(text, maxTokens, overlapTokens).stream().map(Passage::span).toList();
  }

  private static void assertWellFormed(EmbeddingEngine engine, String text, List<TextSpan> spans, int limit) {
    assertThat(spans).isNotEmpty();
    int covered = 0;
    for (TextSpan s : spans) {
      assertThat(s.end()).isLessThanOrEqualTo(text.length());
      assertThat(engine.countTokens(s.of(text))).as("tokens of %s", s).isLessThanOrEqualTo(limit);
      // no gap between consecutive passages except whitespace
      assertThat(text.substring(covered, Math.max(covered, s.start())).isBlank()).as("gap before %s", s).isTrue();
      covered = Math.max(covered, s.end());
      if (s.start() > 0) {
        assertThat(Character.isLowSurrogate(text.charAt(s.start()))).isFalse();
      }
    }
    assertThat(text.substring(covered).isBlank()).as("text after the last passage").isTrue();
  }

  @Test
  void aShortTextIsOnePassageOverAllOfIt() {
    try (EmbeddingEngine e = SharedModels.acquire(TestModels.minilm(), EngineOptions.defaults())) {
      assertThat(chunk(e, "  a short memory  ", 0, 16)).containsExactly(new TextSpan(0, 18));
    }
  }

  @Test
  void qwen3At32TokensCutsA2000TokenTextIntoWindowsOfAtMost32() {
    try (EmbeddingEngine e = SharedModels.acquire(TestModels.generated("tiny-qwen3-fp32"), EngineOptions.defaults())) {
      assertThat(e.spec().maxLength()).isEqualTo(32);
      String text = longText(2000, 1);
      int tokens = e.countTokens(text);
      assertThat(tokens).isGreaterThan(1900);
      List<TextSpan> spans = chunk(e, text, 0, 8);
      assertWellFormed(e, text, spans, 32);
      // 31 content tokens a window, 8 repeated: about tokens / 23 windows, more for sentence-end cuts
      assertThat(spans.size()).isBetween(tokens / 31, tokens / 12);
      List<TextSpan> smaller = chunk(e, text, 16, 0);
      assertWellFormed(e, text, smaller, 16);
      assertThat(smaller.size()).isGreaterThan(spans.size());
    }
  }

  @Test
  void cjkTextWithoutSpacesIsCutAtItsFullStops() {
    String sentence = "花园小屋的备用钥匙藏在门边第三块石头下面。";
    String text = sentence.repeat(60);
    try (EmbeddingEngine e = SharedModels.acquire(TestModels.generated("tiny-qwen3-fp32"), EngineOptions.defaults())) {
      List<TextSpan> spans = chunk(e, text, 0, 0);
      assertWellFormed(e, text, spans, 32);
      assertThat(spans.size()).isGreaterThan(10);
      long atFullStop = spans.stream().limit(spans.size() - 1).filter(s -> text.charAt(s.end() - 1) == '。').count();
      assertThat(atFullStop).as("windows ending at 。").isGreaterThan(spans.size() / 2);
    }
    try (EmbeddingEngine e = SharedModels.acquire(TestModels.minilm(), EngineOptions.defaults())) {
      assertWellFormed(e, text, chunk(e, text, 64, 8), 64);
    }
  }

  @Test
  void aRunOf65000CharactersWithoutSpacesIsCutIntoWindows() {
    StringBuilder sb = new StringBuilder();
    Random r = new Random(7);
    while (sb.length() < 65_000) {
      sb.append((char) ('a' + r.nextInt(26)));
    }
    String text = sb.toString();
    try (EmbeddingEngine e = SharedModels.acquire(TestModels.minilm(), EngineOptions.defaults())) {
      List<TextSpan> spans = chunk(e, text, 0, 0);
      assertThat(spans.size()).isGreaterThan(20);
      assertWellFormed(e, text, spans, 256);
    }
    try (EmbeddingEngine e = SharedModels.acquire(TestModels.generated("tiny-qwen3-fp32"), EngineOptions.defaults())) {
      String part = text.substring(0, 6_000);
      assertWellFormed(e, part, chunk(e, part, 0, 4), 32);
    }
  }

  @Test
  void spansAreUtf16IndicesEvenAfterSupplementaryCharacters() {
    String text = ("emoji 😀 before the words; " + longText(80, 3) + " 🎉 end. ").repeat(4);
    try (EmbeddingEngine e = SharedModels.acquire(TestModels.generated("tiny-qwen3-fp32"), EngineOptions.defaults())) {
      assertWellFormed(e, text, chunk(e, text, 0, 4), 32);
    }
    try (EmbeddingEngine e = SharedModels.acquire(TestModels.minilm(), EngineOptions.defaults())) {
      List<TextSpan> spans = chunk(e, text, 48, 4);
      assertWellFormed(e, text, spans, 48);
      assertThat(spans.get(spans.size() - 1).of(text)).endsWith("end.");
    }
  }

  @Test
  void passagesRepeatTextOnlyAfterACutInsideASentence() {
    // punctuated prose: every cut falls at a full stop, so no passage repeats a word of the one before
    String prose = longText(2000, 4);
    // a 600-word sentence: every cut is inside it, so each passage repeats the overlap
    String run = longText(600, 5).replace(".", "");
    try (EmbeddingEngine e = SharedModels.acquire(TestModels.minilm(), EngineOptions.defaults())) {
      List<TextSpan> spans = chunk(e, prose, 64, 16);
      assertWellFormed(e, prose, spans, 64);
      for (int k = 1; k < spans.size(); k++) {
        assertThat(prose.charAt(spans.get(k - 1).end() - 1)).as("passage %d ends a sentence", k - 1).isEqualTo('.');
        assertThat(spans.get(k).start()).as("passage %d starts after the one before", k)
            .isGreaterThanOrEqualTo(spans.get(k - 1).end());
      }
      List<TextSpan> hard = chunk(e, run, 64, 16);
      assertWellFormed(e, run, hard, 64);
      for (int k = 1; k < hard.size(); k++) {
        assertThat(hard.get(k).start()).as("passage %d starts inside the one before", k)
            .isLessThan(hard.get(k - 1).end());
      }
    }
  }
}
