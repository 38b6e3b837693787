package dev.tier0.milvus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** 10k random 384-dim vectors: HNSW search agrees with exact brute force, replays are harmless, deletes stick. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RecallIT {
    private static final int DIM = 384;
    private static final int COUNT = 10_000;
    private static final int QUERIES = 100;
    private static final int K = 10;

    @TempDir
    static Path dir;
    static MilvusLite lite;
    static MemoryStore store;
    static List<float[]> vectors = new ArrayList<>();
    static TestVectors.Clustered data;

    @BeforeAll
    static void load() {
        lite = MilvusLite.start(dir.resolve("data"));
        store = MemoryStore.connect(MilvusConfig.builder().uri(lite.uri()).collection("recall").build());
        store.ensureCollection(DIM);
        data = new TestVectors.Clustered(new Random(7), DIM, 100);
        List<StoredMemory> batch = new ArrayList<>();
        for (int i = 0; i < COUNT; i++) {
            float[] v = data.next();
            vectors.add(v);
            batch.add(TestVectors.memory("v" + i, "recall", v, Map.of("i", i)));
            if (batch.size() == 1_000) {
                store.upsert(batch);
                batch.clear();
            }
        }
        // Search the HNSW-indexed segment, not Milvus Lite's exact (and slow) scan of unflushed rows
        try (RawClient raw = new RawClient(lite.uri())) {
            raw.flushAndIndex("recall");
        }
    }

    @AfterAll
    static void stop() {
        store.close();
        lite.close();
    }

    @Test
    @Order(1)
    void recallAtTenAgainstExactBruteForceIsAtLeast95Percent() {
        int found = 0;
        for (int q = 0; q < QUERIES; q++) {
            float[] query = data.next();
            Set<String> exact = new HashSet<>(exactTopK(query, K));
            List<Hit> hits = store.search(new SearchQuery(query, "recall", K, Map.of(), 50, null));
            assertThat(hits).hasSize(K);
            for (Hit h : hits) {
                if (exact.contains(h.id())) {
                    found++;
                }
                // the reported score is the cosine similarity of the stored vector
                float[] stored = vectors.get(Integer.parseInt(h.id().substring(1)));
                assertThat((double) h.score()).isCloseTo(TestVectors.cosine(query, stored),
                        within(1e-4));
            }
        }
        double recall = found / (double) (QUERIES * K);
        System.out.printf("recall@%d over %d queries: %.4f%n", K, QUERIES, recall);
        assertThat(recall).isGreaterThanOrEqualTo(0.95);
    }

    @Test
    @Order(2)
    void upsertingTheSameIdsAgainLeavesTheCountUnchangedAndDeletedIdsNeverComeBack() {
        Random random = new Random(13);
        List<StoredMemory> replay = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            replay.add(TestVectors.memory("v" + i, "recall", vectors.get(i), Map.of("i", i)));
        }
        store.upsert(replay);
        assertThat(store.count()).isEqualTo(COUNT);

        Set<String> deleted = new HashSet<>();
        for (int i = 0; i < COUNT; i += 10) {
            deleted.add("v" + i);
        }
        store.delete(deleted);
        assertThat(store.count()).isEqualTo(COUNT - deleted.size());
        for (int q = 0; q < 50; q++) {
            // query right at a deleted vector: it would be the top hit if it were still there
            float[] query = vectors.get(10 * random.nextInt(COUNT / 10));
            List<Hit> hits = store.search(new SearchQuery(query, "recall", 20, Map.of(), 50, null));
            assertThat(hits).hasSize(20).extracting(Hit::id).doesNotContainAnyElementsOf(deleted);
        }
        // put them back so the recall test sees the full set whatever the order
        List<StoredMemory> restore = new ArrayList<>();
        for (String id : deleted) {
            int i = Integer.parseInt(id.substring(1));
            restore.add(TestVectors.memory(id, "recall", vectors.get(i), Map.of("i", i)));
        }
        store.upsert(restore);
        assertThat(store.count()).isEqualTo(COUNT);
    }

    private static List<String> exactTopK(float[] query, int k) {
        double[] scores = new double[vectors.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = TestVectors.cosine(query, vectors.get(i));
        }
        return IntStream.range(0, scores.length).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -scores[i]))
                .limit(k).map(i -> "v" + i).toList();
    }
}
