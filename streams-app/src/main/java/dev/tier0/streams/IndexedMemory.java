package dev.tier0.streams;

import dev.tier0.memory.Memory;

/** A memory with its vector and where it came from, ready for the store. */
public record IndexedMemory(Memory memory, float[] vector, String topic, int partition, long offset, long timestamp,
                            String model) {}
