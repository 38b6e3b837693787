package dev.tier0.milvus;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/** Random unit vectors and memories for tests and benchmarks. */
public final class TestVectors {
    private TestVectors() {
    }

    public static float[] randomUnit(Random random, int dimension) {
        float[] v = new float[dimension];
        double norm = 0;
        for (int i = 0; i < dimension; i++) {
            v[i] = (float) random.nextGaussian();
            norm += v[i] * v[i];
        }
        float inv = (float) (1 / Math.sqrt(norm));
        for (int i = 0; i < dimension; i++) {
            v[i] *= inv;
        }
        return v;
    }

    public static StoredMemory memory(String id, String tenant, float[] vector, Map<String, Object> metadata) {
        return new StoredMemory(id, tenant, vector, "text of " + id, metadata == null ? new HashMap<>() : metadata,
                "topic", 0, 0, 0, "test-model");
    }

    public static double cosine(float[] a, float[] b) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }
}
