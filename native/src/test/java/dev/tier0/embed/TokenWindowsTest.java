package dev.tier0.embed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Window arithmetic on hand-made token spans (one token per word). */
class TokenWindowsTest {
  /** Spans of the space-separated words of {@code text}. */
  private static int[][] words(String text) {
    List<int[]> spans = new java.util.ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      int s = i;
      while (i < text.length() && !Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      if (i > s) {
        spans.add(new int[] {s, i});
      }
    }
    return new int[][] {spans.stream().mapToInt(x -> x[0]).toArray(), spans.stream().mapToInt(x -> x[1]).toArray()};
  }

  @Test
  void windowsNeverExceedTheLimitAndCoverEveryToken() {
    String text = "a b c d e f g h i j k l m n o p q r s t u v w x y z";
    int[][] w = words(text);
    List<int[]> cut = TokenWindows.cut(text, w[0], w[1], 8, 2);
    assertThat(cut).allSatisfy(c -> assertThat(c[1] - c[0]).isBetween(1, 8));
    assertThat(cut.get(0)[0]).isZero();
    assertThat(cut.get(cut.size() - 1)[1]).isEqualTo(26);
    for (int k = 1; k < cut.size(); k++) {
      assertThat(cut.get(k)[0]).as("overlap of 2 tokens").isEqualTo(cut.get(k - 1)[1] - 2);
    }
  }

  @Test
  void prefersASentenceEndInTheSecondHalfOfTheWindow() {
    String text = "one two three four five. six seven eight nine ten eleven";
    int[][] w = words(text);
    List<int[]> cut = TokenWindows.cut(text, w[0], w[1], 8, 0);
    assertThat(cut.get(0)).containsExactly(0, 5); // ends after "five."
    assertThat(cut.get(1)).containsExactly(5, 11);
  }

  @Test
  void aSentenceEndInTheFirstHalfIsNotWorthAShortWindow() {
    String text = "one. two three four five six seven eight nine ten";
    int[][] w = words(text);
    assertThat(TokenWindows.cut(text, w[0], w[1], 8, 0).get(0)).containsExactly(0, 8);
  }

  @Test
  void aLineBreakIsASentenceEnd() {
    String text = "one two three four five\nsix seven eight nine ten";
    int[][] w = words(text);
    assertThat(TokenWindows.cut(text, w[0], w[1], 8, 0).get(0)).containsExactly(0, 5);
  }

  @Test
  void overlapIsCappedAtHalfAWindowSoWindowsAlwaysAdvance() {
    String text = "a b c d e f g h i j k l m n o p q r s t";
    int[][] w = words(text);
    List<int[]> cut = TokenWindows.cut(text, w[0], w[1], 4, 100);
    for (int k = 1; k < cut.size(); k++) {
      assertThat(cut.get(k)[0] - cut.get(k - 1)[0]).isGreaterThanOrEqualTo(2);
    }
    assertThat(cut.get(cut.size() - 1)[1]).isEqualTo(20);
  }

  @Test
  void aWindowOfOneTokenStillCoversEverything() {
    String text = "x y z";
    int[][] w = words(text);
    assertThat(TokenWindows.cut(text, w[0], w[1], 1, 0)).hasSize(3);
  }

  @Test
  void aCutAtASentenceEndIsFollowedWithoutOverlap() {
    String text = "one two three four five. six seven eight nine ten eleven";
    int[][] w = words(text);
    List<int[]> cut = TokenWindows.cut(text, w[0], w[1], 8, 2);
    assertThat(cut.get(0)).containsExactly(0, 5); // ends after "five."
    assertThat(cut.get(1)).as("no token of the first sentence again").containsExactly(5, 11);
  }

  @Test
  void onlyACutInsideASentenceRepeatsTheOverlap() {
    // a sentence of 10 words, then short ones: the first window has no sentence end in its second half
    String text = "a b c d e f g h i j. k l m. n o p q r. s t";
    int[][] w = words(text);
    List<int[]> cut = TokenWindows.cut(text, w[0], w[1], 8, 2);
    assertThat(cut.get(0)).containsExactly(0, 8); // hard cut after "h", inside the sentence
    assertThat(cut.get(1)).as("starts 2 tokens back: g h i j. k l m.").containsExactly(6, 13);
    assertThat(cut.get(2)).as("after \"m.\" no overlap").containsExactly(13, 20);
  }
}
