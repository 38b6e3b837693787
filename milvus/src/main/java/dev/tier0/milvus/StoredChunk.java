package dev.tier0.milvus;

/**
 * A stored passage as read back for reuse: enough to tell whether re-embedding its memory's text would give the
 * same rows (same fingerprint, same chunk count, every index present), and the vector to reuse if so.
 *
 * @param vector the stored vector (FLOAT_VECTOR collections), or null when it could not be read back
 */
public record StoredChunk(String memoryId, int index, int count, boolean truncated, String fingerprint,
                          float[] vector) {
}
