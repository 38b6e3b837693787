package dev.tier0.milvus;

/** How vectors are stored. FLOAT16_VECTOR halves the storage but needs a server that supports it (not Milvus Lite). */
public enum VectorType {
    FLOAT_VECTOR,
    FLOAT16_VECTOR
}
