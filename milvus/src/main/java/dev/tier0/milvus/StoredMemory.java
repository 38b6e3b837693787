package dev.tier0.milvus;

import java.util.Map;

/** One memory as stored in Milvus: the embedded text plus where it came from. */
public record StoredMemory(String id, String tenant, float[] vector, String text, Map<String, Object> metadata,
                           String topic, int partition, long offset, long timestamp, String model) {
}
