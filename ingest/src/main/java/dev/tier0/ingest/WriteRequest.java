package dev.tier0.ingest;

import dev.tier0.memory.MappingResult;
import dev.tier0.memory.Memory;
import java.util.Objects;

/** One operation a record asks of the store: upsert a memory, or delete one by id. */
public sealed interface WriteRequest {
  /** The memory id the operation is about. */
  String id();

  /** The record that asked for it. */
  Source source();

  /**
   * What a mapped record asks of the store: an upsert, a delete, or null when it asks nothing (the mapping
   * rejected or skipped it; the runtime dead-letters or counts it).
   */
  static WriteRequest of(MappingResult result, Source source) {
    if (result instanceof MappingResult.Upsert upsert) {
      return new Upsert(upsert.memory(), source);
    }
    if (result instanceof MappingResult.Delete delete) {
      return new Delete(delete.id(), source);
    }
    return null;
  }

  /** Embed the memory and insert or replace it. */
  record Upsert(Memory memory, Source source) implements WriteRequest {
    public Upsert {
      Objects.requireNonNull(memory, "memory");
      Objects.requireNonNull(source, "source");
    }

    @Override
    public String id() {
      return memory.id();
    }
  }

  /** Remove the memory with this id (a tombstone or a delete marker). */
  record Delete(String id, Source source) implements WriteRequest {
    public Delete {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(source, "source");
    }
  }
}
