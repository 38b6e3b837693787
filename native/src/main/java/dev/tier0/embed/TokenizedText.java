package dev.tier0.embed;

/** Token ids of one text, after truncation; {@code truncated} when the text had more than max_length tokens. */
record TokenizedText(long[] ids, boolean truncated) {
  int length() {
    return ids.length;
  }
}
