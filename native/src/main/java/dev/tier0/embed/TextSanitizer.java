package dev.tier0.embed;

/**
 * Makes any Java string safe for the native (Rust, UTF-8) tokenizer: an unpaired surrogate cannot be encoded in
 * UTF-8, so each one becomes U+FFFD, as a lenient UTF-8 decoder would produce.
 */
final class TextSanitizer {
  static final char REPLACEMENT = '\uFFFD';

  private TextSanitizer() {}

  static String replaceUnpairedSurrogates(String text) {
    StringBuilder out = null;
    int n = text.length();
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      boolean paired = Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1));
      if (paired) {
        if (out != null) {
          out.append(c).append(text.charAt(i + 1));
        }
        i++;
      } else if (Character.isSurrogate(c)) {
        if (out == null) {
          out = new StringBuilder(n).append(text, 0, i);
        }
        out.append(REPLACEMENT);
      } else if (out != null) {
        out.append(c);
      }
    }
    return out == null ? text : out.toString();
  }
}
