package dev.tier0.connect;

import dev.tier0.embed.Embedding;
import dev.tier0.memory.IncomingRecord;
import dev.tier0.memory.Memory;
import dev.tier0.milvus.StoredMemory;

/** A memory, its vector and where it came from: the row Milvus stores. */
final class StoredMemories {
  private StoredMemories() {}

  static StoredMemory of(Entry.Write write, Embedding embedding, String model) {
    Memory memory = write.memory();
    IncomingRecord source = write.source();
    return new StoredMemory(memory.id(), memory.tenant(), embedding.vector(), memory.text(), memory.metadata(),
        source.topic(), source.partition(), source.offset(), source.timestamp(), model);
  }
}
