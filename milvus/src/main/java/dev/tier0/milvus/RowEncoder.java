package dev.tier0.milvus;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Turns a {@link StoredMemory} into the row the SDK sends, checking what the server would reject anyway
 * (so one bad record is reported by id instead of failing a whole request), and estimates its encoded size.
 */
final class RowEncoder {
    /** Per-row protobuf framing and the fixed-width fields, generously rounded up. */
    private static final int ROW_OVERHEAD_BYTES = 128;
    private static final Gson GSON = new Gson();

    private final int dimension;
    private final VectorType vectorType;

    RowEncoder(int dimension, VectorType vectorType) {
        this.dimension = dimension;
        this.vectorType = vectorType;
    }

    /** A row and its estimated size on the wire. */
    record EncodedRow(JsonObject row, int encodedBytes) {
    }

    EncodedRow encode(StoredMemory m) {
        String id = requireText(m, m.id(), "id", CollectionSpec.ROW_ID_MAX_LENGTH);
        if (id.isEmpty()) {
            throw new PermanentStoreException("memory has an empty id");
        }
        String tenant = requireText(m, m.tenant(), "tenant", CollectionSpec.TENANT_MAX_LENGTH);
        String text = requireText(m, m.text() == null ? "" : m.text(), "text", CollectionSpec.TEXT_MAX_LENGTH);
        String topic = requireText(m, m.topic() == null ? "" : m.topic(), "topic", CollectionSpec.SHORT_MAX_LENGTH);
        String model = requireText(m, m.model() == null ? "" : m.model(), "model", CollectionSpec.SHORT_MAX_LENGTH);
        float[] vector = m.vector();
        if (vector == null || vector.length != dimension) {
            throw new PermanentStoreException("memory '" + id + "' has a vector of dimension "
                    + (vector == null ? "null" : vector.length) + ", the collection expects " + dimension);
        }
        for (float f : vector) {
            if (!Float.isFinite(f)) {
                throw new PermanentStoreException("memory '" + id + "' has a non-finite vector component");
            }
        }
        JsonArray vec = vectorType == VectorType.FLOAT16_VECTOR ? float16Bytes(vector) : floats(vector);
        JsonElement metadata = GSON.toJsonTree(m.metadata() == null ? Map.of() : m.metadata());
        String metadataJson = metadata.toString();

        JsonObject row = new JsonObject();
        row.addProperty(CollectionSpec.ID, id);
        row.addProperty(CollectionSpec.TENANT, tenant);
        row.add(CollectionSpec.VECTOR, vec);
        row.addProperty(CollectionSpec.TEXT, text);
        row.add(CollectionSpec.METADATA, metadata);
        row.addProperty(CollectionSpec.SOURCE_TOPIC, topic);
        row.addProperty(CollectionSpec.SOURCE_PARTITION, m.partition());
        row.addProperty(CollectionSpec.SOURCE_OFFSET, m.offset());
        row.addProperty(CollectionSpec.SOURCE_TIMESTAMP, m.timestamp());
        row.addProperty(CollectionSpec.MODEL, model);
        Chunk c = m.chunk();
        String memoryId = requireText(m, c.memoryId(), "memory id", CollectionSpec.ID_MAX_LENGTH);
        String memoryText = requireText(m, c.memoryText(), "memory text", CollectionSpec.TEXT_MAX_LENGTH);
        String fingerprint = requireText(m, c.fingerprint(), "fingerprint", CollectionSpec.FINGERPRINT_MAX_LENGTH);
        row.addProperty(CollectionSpec.MEMORY_ID, memoryId);
        row.addProperty(CollectionSpec.CHUNK_INDEX, c.index());
        row.addProperty(CollectionSpec.CHUNK_COUNT, c.count());
        row.addProperty(CollectionSpec.SPAN_START, c.start());
        row.addProperty(CollectionSpec.SPAN_END, c.end());
        row.addProperty(CollectionSpec.MEMORY_TEXT, memoryText);
        row.addProperty(CollectionSpec.TRUNCATED, c.truncated());
        row.addProperty(CollectionSpec.FINGERPRINT, fingerprint);

        int vectorBytes = dimension * (vectorType == VectorType.FLOAT16_VECTOR ? 2 : 4);
        int size = ROW_OVERHEAD_BYTES + vectorBytes + utf8Length(id) + utf8Length(tenant) + utf8Length(text)
                + utf8Length(topic) + utf8Length(model) + utf8Length(metadataJson) + utf8Length(memoryId)
                + utf8Length(memoryText) + fingerprint.length();
        return new EncodedRow(row, size);
    }

    private static JsonArray floats(float[] vector) {
        JsonArray array = new JsonArray(vector.length);
        for (float f : vector) {
            array.add(f);
        }
        return array;
    }

    /** The SDK takes a FLOAT16_VECTOR row value as its raw little-endian IEEE half-precision bytes. */
    private static JsonArray float16Bytes(float[] vector) {
        ByteBuffer buffer = Float16Vectors.toFp16Buffer(vector);
        JsonArray array = new JsonArray(buffer.remaining());
        while (buffer.hasRemaining()) {
            array.add(buffer.get());
        }
        return array;
    }

    private static String requireText(StoredMemory m, String value, String field, int maxBytes) {
        if (value == null) {
            throw new PermanentStoreException("memory '" + m.id() + "' has no " + field);
        }
        int bytes = utf8Length(value);
        if (bytes > maxBytes) {
            throw new PermanentStoreException("memory '" + abbreviate(m.id()) + "': " + field + " is " + bytes
                    + " bytes in UTF-8, the collection allows " + maxBytes);
        }
        return value;
    }

    static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static String abbreviate(String s) {
        return s == null || s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
