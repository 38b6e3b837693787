package dev.tier0.milvus;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/** Random unit vectors and memories for tests and benchmarks. */
public final class TestVectors {
    private TestVectors() {
    }

    public static float[] randomUnit(Random random, int dimension) {
        return normalise(gaussian(random, dimension));
    }

    /**
     * Random vectors with the low intrinsic dimensionality real embeddings have: a random cluster centre plus
     * isotropic noise of the same magnitude, normalised. (Isotropic Gaussian vectors in 384 dimensions are the
     * worst case for any graph index: faiss HNSW itself reaches recall@10 of only about 0.4 at ef 50 on them.)
     */
    public static final class Clustered {
        private final Random random;
        private final float[][] centres;

        public Clustered(Random random, int dimension, int clusters) {
            this.random = random;
            this.centres = new float[clusters][];
            for (int c = 0; c < clusters; c++) {
                centres[c] = gaussian(random, dimension);
            }
        }

        public float[] next() {
            float[] centre = centres[random.nextInt(centres.length)];
            float[] v = gaussian(random, centre.length);
            for (int i = 0; i < v.length; i++) {
                v[i] += centre[i];
            }
            return normalise(v);
        }
    }

    private static float[] gaussian(Random random, int dimension) {
        float[] v = new float[dimension];
        for (int i = 0; i < dimension; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    private static float[] normalise(float[] v) {
        double norm = 0;
        for (float f : v) {
            norm += f * f;
        }
        float inv = (float) (1 / Math.sqrt(norm));
        for (int i = 0; i < v.length; i++) {
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
