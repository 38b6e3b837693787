package dev.tier0.streams.ingest;

import dev.tier0.memory.Memory;

/** A store write waiting in the changelogged pending store for its batch. */
public sealed interface PendingWrite {
  String id();

  record Upsert(Memory memory, String topic, int partition, long offset, long timestamp) implements PendingWrite {
    @Override
    public String id() {
      return memory.id();
    }
  }

  record Delete(String id) implements PendingWrite {}
}
