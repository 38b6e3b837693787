package dev.tier0.milvus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tier0's search executor for Milvus Lite (resource {@code lite_search_patch.py}) against milvus-lite's own, on one
 * data directory whose rows are spread the ways that decide which rows are live: versions of one memory in two
 * flushed segments and in the unflushed memtable, deletes of flushed and of unflushed rows.
 */
class MilvusLiteSearchPatchIT {
    private static final int DIM = 64;
    private static final String TENANT = "patch";

    @TempDir
    Path dir;

    @Test
    void patchedSearchReturnsWhatMilvusLitesOwnExecutorReturnsAndHidesStaleAndDeletedRows() {
        Random random = new Random(11);
        TestVectors.Clustered data = new TestVectors.Clustered(random, DIM, 20);
        List<float[]> vectors = new ArrayList<>();
        Set<String> deleted = new HashSet<>();
        Path dataDir = dir.resolve("data");
        Path log;
        try (MilvusLite lite = MilvusLite.start(dataDir, true);
             MemoryStore store = MemoryStore.connect(MilvusConfig.builder().uri(lite.uri()).collection("c").build());
             RawClient raw = new RawClient(lite.uri())) {
            log = lite.logFile();
            store.ensureCollection(DIM);
            List<StoredMemory> first = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                vectors.add(data.next());
                first.add(memory(i, vectors.get(i)));
            }
            store.upsert(first);
            raw.flushAndIndex("c"); // segment 1
            List<StoredMemory> second = new ArrayList<>();
            for (int i = 0; i < 300; i++) { // new versions of memories in segment 1: a second segment
                vectors.set(i, data.next());
                second.add(memory(i, vectors.get(i)));
            }
            store.upsert(second);
            raw.flush("c");
            List<StoredMemory> third = new ArrayList<>();
            for (int i = 200; i < 400; i++) { // newer still, unflushed: hide rows of both segments
                vectors.set(i, data.next());
                third.add(memory(i, vectors.get(i)));
            }
            store.upsert(third);
            for (int i = 0; i < 2_000; i += 7) { // flushed-only, twice-flushed and memtable rows alike
                deleted.add("m" + i);
            }
            store.delete(deleted);

            for (int i = 0; i < 400; i += 13) {
                List<Hit> hits = search(store, vectors.get(i));
                String id = "m" + i;
                if (deleted.contains(id)) {
                    assertThat(hits).extracting(Hit::id).as("deleted %s", id).doesNotContain(id);
                } else {
                    // the newest version is found at its own vector, and only once
                    assertThat(hits.get(0).id()).isEqualTo(id);
                    assertThat((double) hits.get(0).score()).isCloseTo(1.0, within(1e-4));
                    assertThat(hits).extracting(Hit::id).doesNotHaveDuplicates();
                }
                assertThat(hits).extracting(Hit::id).doesNotContainAnyElementsOf(deleted);
            }
        }

        // the same directory, read by each executor in turn, after the same further unflushed writes
        List<float[]> queries = new ArrayList<>();
        for (int q = 0; q < 40; q++) {
            queries.add(q % 2 == 0 ? vectors.get(q * 9) : data.next());
        }
        // each executor on its own copy of the directory: keyword scores depend on how rows lie in segments, which
        // a restart (it flushes) and compaction change
        Path copy = dir.resolve("copy");
        copyTree(dataDir, copy);
        List<List<String>> own = answers(dataDir, false, queries);
        assertThat(installedLines(log)).as("only the first server installed it").isEqualTo(1);
        List<List<String>> patched = answers(copy, true, queries);
        assertThat(installedLines(copy.resolveSibling("copy.milvus-lite.log"))).as("and the last one").isEqualTo(1);
        assertThat(patched).isEqualTo(own);
        assertThat(patched.subList(0, 3 * queries.size())).allSatisfy(hits -> assertThat(hits).hasSize(10));
    }

    private static List<List<String>> answers(Path dataDir, boolean patch, List<float[]> queries) {
        try (MilvusLite lite = MilvusLite.start(dataDir, patch);
             MemoryStore store = MemoryStore.connect(MilvusConfig.builder().uri(lite.uri()).collection("c").build())) {
            Random random = new Random(5); // the same writes in both runs
            List<StoredMemory> more = new ArrayList<>();
            for (int i = 390; i < 420; i++) {
                more.add(memory(i, TestVectors.randomUnit(random, DIM)));
            }
            store.upsert(more);
            store.delete(List.of("m391", "m3"));
            store.deleteMemories(List.of("m395", "m1")); // by a filter: the server queries its rows first
            List<List<String>> out = new ArrayList<>();
            for (int q = 0; q < queries.size(); q++) {
                out.add(describe(search(store, queries.get(q))));
                // keyword and hybrid read the memtable's rows whole (BM25), dense its vectors
                String words = WORDS[q % WORDS.length] + " " + WORDS[(q * 7 + 3) % WORDS.length];
                for (SearchMode mode : List.of(SearchMode.KEYWORD, SearchMode.HYBRID)) {
                    out.add(describe(store.search(new SearchQuery(queries.get(q), TENANT, 10, Map.of(), 50, null,
                            new SearchOptions(words, mode, null, null, null)))));
                }
            }
            // a scalar filter on memory_id (a query through every row) for stored, deleted and unknown ids
            for (String id : List.of("m0", "m3", "m395", "m405", "m2500")) {
                out.add(List.of(id + " " + store.countChunks(id)));
            }
            return out;
        }
    }

    private static void copyTree(Path from, Path to) {
        try (var paths = java.nio.file.Files.walk(from)) {
            for (Path p : paths.toList()) {
                java.nio.file.Files.copy(p, to.resolve(from.relativize(p).toString()));
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** How many servers on this directory said they installed tier0's executor (the log is appended to). */
    private static long installedLines(Path log) {
        try (var lines = java.nio.file.Files.lines(log)) {
            return lines.filter(l -> l.startsWith("tier0: search executor installed")).count();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<Hit> search(MemoryStore store, float[] query) {
        return store.search(new SearchQuery(query, TENANT, 10, Map.of(), 50, null));
    }

    private static List<String> describe(List<Hit> hits) {
        return hits.stream().map(h -> h.id() + String.format(" %.5f", h.score()) + " " + h.text()).toList();
    }

    private static final String[] WORDS = {"harbor", "ledger", "violin", "orchard", "glacier", "lantern", "copper",
        "meadow", "tunnel", "falcon", "quartz", "saddle"};

    /** A memory whose text draws three words from a small vocabulary, so keyword scores differ between rows. */
    private static StoredMemory memory(int i, float[] vector) {
        StoredMemory m = TestVectors.memory("m" + i, TENANT, vector, Map.of("i", i));
        String text = "note " + i + " " + WORDS[i % WORDS.length] + " " + WORDS[(i / 3) % WORDS.length] + " "
                + WORDS[(i / 11) % WORDS.length];
        return new StoredMemory(m.id(), m.tenant(), m.vector(), text, m.metadata(), m.topic(), m.partition(),
                m.offset(), m.timestamp(), m.model());
    }
}
