package dev.tier0.milvus;

import java.util.Map;

/**
 * One row as stored in Milvus: a passage of a memory (its {@link Chunk}), its vector, plus where it came from.
 * {@code id} is the row's primary key ({@link Chunk#rowId} for a chunked memory); {@code text} the passage.
 */
public record StoredMemory(String id, String tenant, float[] vector, String text, Map<String, Object> metadata,
                           String topic, int partition, long offset, long timestamp, String model, Chunk chunk) {
    public StoredMemory {
        if (chunk == null) {
            chunk = Chunk.whole(id, text);
        }
    }

    /** A memory stored whole as one row: its id is the row id and the memory id. */
    public StoredMemory(String id, String tenant, float[] vector, String text, Map<String, Object> metadata,
                        String topic, int partition, long offset, long timestamp, String model) {
        this(id, tenant, vector, text, metadata, topic, partition, offset, timestamp, model, null);
    }
}
