package dev.tier0.streams.search;

import java.util.Map;

/**
 * One memory in a reply: the best of its passages. Score is that passage's cosine similarity (higher is closer).
 *
 * @param id         the memory id
 * @param text       the memory's whole text
 * @param passage    the passage that matched ({@code text.substring(spanStart, spanEnd)})
 * @param chunkIndex the passage's position in the memory, 0-based, of {@code chunkCount}
 * @param spanStart  the passage's start in {@code text}, in UTF-16 code units
 * @param spanEnd    its end (exclusive)
 * @param truncated  the memory had more passages than chunk.max.per.memory: its tail was not stored
 */
public record SearchHit(String id, float score, String text, Map<String, Object> metadata, String passage,
                        int chunkIndex, int chunkCount, int spanStart, int spanEnd, boolean truncated) {
  public SearchHit {
    metadata = metadata == null ? Map.of() : metadata;
    passage = passage == null ? text : passage;
  }

  /**
   * Where the passage sits, for a person reading a hit in a terminal: {@code "passage 3/12"} for a memory of several
   * passages, {@code "truncated memory"} when its tail was not stored (also for a memory cut to one passage, by
   * chunk.max.per.memory=1), both joined by ", ", or "" for a whole one-passage memory. Both CLIs print this, so
   * neither can drop the truncated flag.
   */
  public String location() {
    String passageOf = chunkCount > 1 ? "passage " + (chunkIndex + 1) + "/" + chunkCount : "";
    if (!truncated) {
      return passageOf;
    }
    return passageOf.isEmpty() ? "truncated memory" : passageOf + ", truncated memory";
  }

  /** A hit on a memory of one passage (its whole text). */
  public SearchHit(String id, float score, String text, Map<String, Object> metadata) {
    this(id, score, text, metadata, text, 0, 1, 0, text == null ? 0 : text.length(), false);
  }
}
