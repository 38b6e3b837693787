package dev.tier0.milvus;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.ByteBuffer;

/**
 * A checked row as the SDK's {@code MilvusClientV2.upsert}/{@code insert} take it: a gson object, a float vector as
 * a JSON array of numbers, an FP16 vector as a JSON array of its little-endian bytes (the SDK's documented row
 * format). tier0 upserts this way only where it cannot use {@link UpsertChannel} (a Zilliz Cloud global-cluster
 * endpoint); {@code RowColumnsTest} checks that the SDK turns these rows into exactly {@link RowColumns}' columns.
 */
final class SdkRows {
    private SdkRows() {
    }

    static JsonObject of(RowEncoder.Row checked, VectorType vectorType) {
        StoredMemory m = checked.memory();
        JsonObject row = new JsonObject();
        row.addProperty(CollectionSpec.ID, m.id());
        row.addProperty(CollectionSpec.TENANT, m.tenant());
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
        row.add(CollectionSpec.VECTOR, vector);
        row.addProperty(CollectionSpec.TEXT, checked.text());
        row.add(CollectionSpec.METADATA, JsonParser.parseString(checked.metadataJson()));
        row.addProperty(CollectionSpec.SOURCE_TOPIC, checked.topic());
        row.addProperty(CollectionSpec.SOURCE_PARTITION, m.partition());
        row.addProperty(CollectionSpec.SOURCE_OFFSET, m.offset());
        row.addProperty(CollectionSpec.SOURCE_TIMESTAMP, m.timestamp());
        row.addProperty(CollectionSpec.MODEL, checked.model());
        Chunk c = m.chunk();
        row.addProperty(CollectionSpec.MEMORY_ID, c.memoryId());
        row.addProperty(CollectionSpec.CHUNK_INDEX, c.index());
        row.addProperty(CollectionSpec.CHUNK_COUNT, c.count());
        row.addProperty(CollectionSpec.SPAN_START, c.start());
        row.addProperty(CollectionSpec.SPAN_END, c.end());
        row.addProperty(CollectionSpec.MEMORY_TEXT, c.memoryText());
        row.addProperty(CollectionSpec.TRUNCATED, c.truncated());
        row.addProperty(CollectionSpec.FINGERPRINT, c.fingerprint());
        return row;
    }
}
