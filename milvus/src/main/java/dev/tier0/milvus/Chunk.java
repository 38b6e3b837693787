package dev.tier0.milvus;

import java.util.Objects;

/**
 * Where a row sits in its memory: a memory is stored as one row per passage (chunk), all under its memory id.
 *
 * @param memoryId    the memory (the record's id); deletes and updates act on every row that has it
 * @param index       0-based position of this passage
 * @param count       passages the memory has (after truncation)
 * @param start       the passage's start in the memory's text, in UTF-16 code units (Java String index)
 * @param end         the passage's end (exclusive), same units
 * @param memoryText  the memory's whole text, kept on chunk 0 of a memory of several chunks; "" elsewhere (a
 *                    one-chunk memory's passage is its whole text)
 * @param truncated   true when the memory had more passages than chunk.max.per.memory and only the first were kept
 * @param fingerprint hex SHA-256 of the text and the model settings that made the vector ("" when unknown)
 */
public record Chunk(String memoryId, int index, int count, int start, int end, String memoryText, boolean truncated,
                    String fingerprint) {
    public Chunk {
        Objects.requireNonNull(memoryId, "memoryId");
        if (index < 0 || count < 1 || index >= count || start < 0 || end < start) {
            throw new IllegalArgumentException("bad chunk " + index + "/" + count + " [" + start + ", " + end + ")");
        }
        memoryText = memoryText == null ? "" : memoryText;
        fingerprint = fingerprint == null ? "" : fingerprint;
    }

    /** A memory stored as one row over its whole text. */
    public static Chunk whole(String memoryId, String text) {
        return new Chunk(memoryId, 0, 1, 0, text == null ? 0 : text.length(), "", false, "");
    }

    /**
     * The row id of a memory's chunk: {@code memoryId#index}. Injective (the index is after the last '#'), and
     * deterministic, so a replay overwrites the same rows.
     */
    public static String rowId(String memoryId, int index) {
        return memoryId + "#" + index;
    }
}
