package dev.tier0.embed;

/**
 * A passage of a text: {@code [start, end)} in UTF-16 code units (Java {@code String} indices) of the original
 * text, so {@code text.substring(start, end)} is the passage.
 */
public record TextSpan(int start, int end) {
  public TextSpan {
    if (start < 0 || end < start) {
      throw new IllegalArgumentException("bad span [" + start + ", " + end + ")");
    }
  }

  /** The passage itself. */
  public String of(String text) {
    return text.substring(start, end);
  }
}
