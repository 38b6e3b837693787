package dev.tier0.ingest;

import dev.tier0.memory.config.SharedConfig;
import org.apache.kafka.common.config.AbstractConfig;

/**
 * What the writer checks before a row reaches the store, so one row never makes the store refuse a batch.
 *
 * @param maxMetadataBytes most bytes of a memory's metadata as JSON (record.metadata.max.bytes, at most
 *                         {@link #MILVUS_JSON_MAX_BYTES}, Milvus's limit on a JSON field)
 * @param maxMetadataDepth deepest nesting of objects and arrays in metadata (record.metadata.max.depth); Milvus
 *                         Lite fails with "maximum recursion depth exceeded" near 990 levels
 */
public record WriteLimits(int maxMetadataBytes, int maxMetadataDepth) {
  /** Milvus's limit on one JSON field value (proxy: "length of json field value exceeds max length"). */
  public static final int MILVUS_JSON_MAX_BYTES = SharedConfig.MILVUS_JSON_MAX_BYTES;
  public static final int DEFAULT_MAX_METADATA_DEPTH = 64;
  public static final String MAX_METADATA_BYTES_KEY = SharedConfig.RECORD_METADATA_MAX_BYTES;
  public static final String MAX_METADATA_DEPTH_KEY = SharedConfig.RECORD_METADATA_MAX_DEPTH;

  public WriteLimits {
    if (maxMetadataBytes < 2 || maxMetadataBytes > MILVUS_JSON_MAX_BYTES) {
      throw new IllegalArgumentException(MAX_METADATA_BYTES_KEY + " must be in [2, " + MILVUS_JSON_MAX_BYTES
          + "], was " + maxMetadataBytes);
    }
    if (maxMetadataDepth < 1) {
      throw new IllegalArgumentException(MAX_METADATA_DEPTH_KEY + " must be >= 1, was " + maxMetadataDepth);
    }
  }

  /** The limits a runtime's configuration sets (any config defined with {@link SharedConfig#define}). */
  public static WriteLimits from(AbstractConfig config) {
    return new WriteLimits(config.getInt(MAX_METADATA_BYTES_KEY), config.getInt(MAX_METADATA_DEPTH_KEY));
  }

  public static WriteLimits defaults() {
    return new WriteLimits(MILVUS_JSON_MAX_BYTES, DEFAULT_MAX_METADATA_DEPTH);
  }
}
