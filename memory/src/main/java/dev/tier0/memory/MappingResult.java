package dev.tier0.memory;

/** The outcome of mapping one record; every record has exactly one, so nothing disappears silently. */
public sealed interface MappingResult {

  /** Embed and store this memory. */
  record Upsert(Memory memory) implements MappingResult {}

  /** A tombstone: delete this id. */
  record Delete(String id) implements MappingResult {}

  /** The record cannot become a memory; the reason goes to the dead-letter queue. */
  record Rejected(String reason) implements MappingResult {}

  /** Deliberately ignored by configuration (e.g. tombstones when deletes are off). */
  record Skipped(String reason) implements MappingResult {}
}
