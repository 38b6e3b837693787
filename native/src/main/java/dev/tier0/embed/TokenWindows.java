package dev.tier0.embed;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a text into windows of whole tokens, given each token's span in the text. Pure: the tokenizer supplies the
 * spans ({@link TextTokenizer#spanned}); this only decides where windows start and end.
 *
 * <p>A window holds at most {@code window} tokens. When the text goes on past it, the window ends at the last
 * sentence or line end (a token ending in . ! ? and their CJK forms, or a line break before the next token) in its
 * second half, and the next window starts right there: no token is read twice, since no sentence straddles that
 * cut. Only when the window's second half holds no sentence end (a sentence longer than half a window, a text
 * without punctuation, a 65,000-character run) does it end at the token limit, inside a sentence; then the next
 * window starts {@code overlap} tokens before that end, so a fact that straddles the cut is whole in one of them.
 * A window always moves forward by at least half a window, so the count stays about {@code tokens / window} for
 * punctuated text and at most {@code tokens / (window - overlap)}.
 *
 * <p>Why overlap only at hard cuts: it exists for the fact cut in two; repeated after a sentence end it protects
 * nothing and costs about {@code overlap / (window - overlap)} more model work on every long memory (16 tokens
 * re-read per 110 new ones at 128-token MiniLM passages: the model read 1.18x the documents' tokens, which kept
 * ingest's cost per token of long documents at 1.27x short memories', over the 1.15 goal; bench/run chunking).
 */
final class TokenWindows {
  private TokenWindows() {}

  /**
   * @param text    the original text (for the characters at the token edges)
   * @param starts  start of each token (UTF-16 index), ascending
   * @param ends    end of each token (exclusive)
   * @param window  most tokens per window (>= 1)
   * @param overlap tokens repeated from the previous window when it had to end inside a sentence (>= 0; at most
   *                half a window is used); a window that ends at a sentence or line end is followed without overlap
   * @return the windows' spans, in order; empty when there is no token; each from its first token's start to its
   *     last token's end
   */
  static List<int[]> cut(String text, int[] starts, int[] ends, int window, int overlap) {
    if (window < 1) {
      throw new IllegalArgumentException("window must be >= 1 token, was " + window);
    }
    int n = starts.length;
    int effectiveOverlap = Math.max(0, Math.min(overlap, window / 2));
    List<int[]> out = new ArrayList<>();
    int a = 0;
    while (a < n) {
      int b = Math.min(a + window, n); // exclusive token index
      boolean atSentenceEnd = b == n;
      for (int j = b; !atSentenceEnd && j > a + window / 2; j--) {
        if (sentenceEndsBefore(text, starts, ends, j)) {
          b = j;
          atSentenceEnd = true;
        }
      }
      out.add(new int[] {a, b});
      if (b >= n) {
        break;
      }
      if (atSentenceEnd) {
        a = b;
      } else {
        a = Math.max(b - effectiveOverlap, a + Math.max(1, (window + 1) / 2));
        a = Math.min(a, b); // never skip a token
      }
    }
    return out;
  }

  /** True when token j-1 ends a sentence or a line break lies between token j-1 and token j. */
  static boolean sentenceEndsBefore(String text, int[] starts, int[] ends, int j) {
    int end = ends[j - 1];
    for (int k = end; k < starts[j] && k < text.length(); k++) {
      char c = text.charAt(k);
      if (c == '\n' || c == '\r') {
        return true;
      }
    }
    if (end <= 0 || end > text.length()) {
      return false;
    }
    char last = text.charAt(end - 1);
    return switch (last) {
      case '.', '!', '?', '\n', '\u3002', '\uFF01', '\uFF1F', '\uFF0E', '\u2026' -> true;
      default -> false;
    };
  }
}
