package dev.tier0.milvus;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * A memory as the row the SDK's {@code MilvusClientV2.insert}/{@code upsert} take (gson objects, documented by the
 * SDK: a float vector as a JSON array of numbers, an FP16 vector as a JSON array of its little-endian bytes). The
 * independent reference {@link RowColumnsTest} converts with the SDK, and what {@link RawClient} inserts.
 */
final class SdkRows {
    private static final Gson GSON = new Gson();

    private SdkRows() {
    }

    static JsonObject of(StoredMemory m, VectorType vectorType) {
        JsonObject row = new JsonObject();
        row.addProperty("id", m.id());
        row.addProperty("tenant", m.tenant());
        JsonArray vector = new JsonArray();
        if (vectorType == VectorType.FLOAT16_VECTOR) {
            ByteBuffer bytes = Float16Vectors.toFp16Buffer(m.vector());
            while (bytes.hasRemaining()) {
                vector.add(bytes.get());
            }
        } else {
            for (float f : m.vector()) {
                vector.add(f);
            }
        }
        row.add("vector", vector);
        row.addProperty("text", m.text() == null ? "" : m.text());
        row.add("metadata", GSON.toJsonTree(m.metadata() == null ? Map.of() : m.metadata()));
        row.addProperty("source_topic", m.topic() == null ? "" : m.topic());
        row.addProperty("source_partition", m.partition());
        row.addProperty("source_offset", m.offset());
        row.addProperty("source_timestamp", m.timestamp());
        row.addProperty("model", m.model() == null ? "" : m.model());
        Chunk c = m.chunk();
        row.addProperty("memory_id", c.memoryId());
        row.addProperty("chunk_index", c.index());
        row.addProperty("chunk_count", c.count());
        row.addProperty("span_start", c.start());
        row.addProperty("span_end", c.end());
        row.addProperty("memory_text", c.memoryText());
        row.addProperty("truncated", c.truncated());
        row.addProperty("fingerprint", c.fingerprint());
        return row;
    }
}
