package dev.tier0.ingest;

import dev.tier0.memory.config.SharedConfig;
import java.util.Locale;
import org.apache.kafka.common.config.AbstractConfig;

/**
 * How the writer cuts a memory into passages (chunk.* keys).
 *
 * @param maxTokens    tokens per passage, special tokens included; 0 = the model's max_length (more is capped there)
 * @param overlapTokens tokens a passage repeats from the one before (at most half a passage is used)
 * @param maxPerMemory most passages one memory may have
 * @param overflow     what happens to a memory that needs more: {@link Overflow#TRUNCATE} keeps the first
 *                     {@code maxPerMemory} and marks the memory truncated; {@link Overflow#REJECT} dead-letters it
 */
public record ChunkSettings(int maxTokens, int overlapTokens, int maxPerMemory, Overflow overflow) {
  /**
   * A paragraph, not a page: all-MiniLM-L6-v2 was trained on inputs of 128 tokens, and a 20-token fact in a
   * 256-token passage is diluted by mean pooling (the garden-shed key in ChunkedMemoriesIT scored 0.28 in a
   * 250-token passage, below an unrelated short memory at 0.36). Capped at the model's max_length. Where the cuts
   * fall matters as much: with 128/8 and 64/8 the key's best passage scored 0.31 and 0.29 in the same test, so
   * the defaults are the measured 128/16, not a rule.
   */
  public static final int DEFAULT_MAX_TOKENS = 128;
  public static final int DEFAULT_OVERLAP_TOKENS = 16;
  public static final int DEFAULT_MAX_PER_MEMORY = 64;

  /** What happens to a memory of more than chunk.max.per.memory passages. */
  public enum Overflow {
    TRUNCATE, REJECT;

    public static Overflow parse(String value) {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    }
  }

  public ChunkSettings {
    if (maxTokens < 0 || overlapTokens < 0 || maxPerMemory < 1 || overflow == null) {
      throw new IllegalArgumentException("bad chunk settings: max.tokens " + maxTokens + ", overlap.tokens "
          + overlapTokens + ", max.per.memory " + maxPerMemory + ", overflow " + overflow);
    }
  }

  public static ChunkSettings defaults() {
    return new ChunkSettings(DEFAULT_MAX_TOKENS, DEFAULT_OVERLAP_TOKENS, DEFAULT_MAX_PER_MEMORY, Overflow.TRUNCATE);
  }

  /** The settings a runtime's configuration sets (any config defined with {@link SharedConfig#defineChunk}). */
  public static ChunkSettings from(AbstractConfig config) {
    return new ChunkSettings(config.getInt(SharedConfig.CHUNK_MAX_TOKENS),
        config.getInt(SharedConfig.CHUNK_OVERLAP_TOKENS), config.getInt(SharedConfig.CHUNK_MAX_PER_MEMORY),
        Overflow.parse(config.getString(SharedConfig.CHUNK_OVERFLOW)));
  }

  /** What the passages depend on, for the content fingerprint. */
  String fingerprintBasis() {
    return "chunk " + maxTokens + "/" + overlapTokens;
  }
}
