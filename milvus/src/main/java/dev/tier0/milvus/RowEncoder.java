package dev.tier0.milvus;

import com.google.gson.Gson;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Checks a {@link StoredMemory} against what the server would reject anyway (so one bad record is reported by id
 * instead of failing a whole request), and estimates its encoded size; {@link RowColumns} lays checked rows out as
 * the request's columns.
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

    int dimension() {
        return dimension;
    }

    VectorType vectorType() {
        return vectorType;
    }

    /**
     * A memory that passed the checks: absent text, topic and model read as "", and its metadata as JSON text.
     *
     * @param encodedBytes the row's estimated size on the wire, in bytes (an upper estimate)
     */
    record Row(StoredMemory memory, String text, String topic, String model, String metadataJson, int encodedBytes) {
    }

    Row encode(StoredMemory m) {
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
        String metadataJson = GSON.toJsonTree(m.metadata() == null ? Map.of() : m.metadata()).toString();
        Chunk c = m.chunk();
        String memoryId = requireText(m, c.memoryId(), "memory id", CollectionSpec.ID_MAX_LENGTH);
        String memoryText = requireText(m, c.memoryText(), "memory text", CollectionSpec.TEXT_MAX_LENGTH);
        String fingerprint = requireText(m, c.fingerprint(), "fingerprint", CollectionSpec.FINGERPRINT_MAX_LENGTH);

        int vectorBytes = dimension * (vectorType == VectorType.FLOAT16_VECTOR ? 2 : 4);
        int size = ROW_OVERHEAD_BYTES + vectorBytes + utf8Length(id) + utf8Length(tenant) + utf8Length(text)
                + utf8Length(topic) + utf8Length(model) + utf8Length(metadataJson) + utf8Length(memoryId)
                + utf8Length(memoryText) + fingerprint.length();
        return new Row(m, text, topic, model, metadataJson, size);
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
