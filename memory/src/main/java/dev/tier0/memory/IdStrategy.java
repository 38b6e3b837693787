package dev.tier0.memory;

import java.util.Locale;

/** Where a memory's id comes from. All three are deterministic, so a replayed record upserts, never duplicates. */
public enum IdStrategy {
  /** The record key. */
  KEY,
  /** A field of the value, at {@code record.id.field}. */
  FIELD,
  /** topic-partition-offset. */
  COORDINATES;

  public static IdStrategy parse(String value) {
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown id strategy '" + value + "': expected key, field or coordinates", e);
    }
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
