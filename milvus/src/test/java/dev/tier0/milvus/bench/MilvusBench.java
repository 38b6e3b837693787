package dev.tier0.milvus.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tier0.milvus.ConversionCost;
import dev.tier0.milvus.Hit;
import dev.tier0.milvus.MemoryStore;
import dev.tier0.milvus.MilvusConfig;
import dev.tier0.milvus.MilvusLite;
import dev.tier0.milvus.RawClient;
import dev.tier0.milvus.SearchQuery;
import dev.tier0.milvus.StoredMemory;
import dev.tier0.milvus.TestVectors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * The store against a real Milvus Lite server: upsert throughput by batch size (384 and 2560 dims), search latency
 * at 10k and 100k stored 384-dim vectors (ef 50, top 10), and on-disk bytes per stored item; and, with no server,
 * the client's CPU per upserted row, tier0's columns against the SDK's row conversion. Prints a table and
 * writes target/bench/milvus.json. Run with {@code bench/run milvus}; {@code -Dbench.parts=search} (of
 * convert,upsert,disk,search) and {@code -Dbench.sizes=100000} pick what runs.
 *
 * <p>With {@code -Dtier0.bench.milvus.uri=...} (or {@code bench/run milvus --milvus standalone}) it measures only
 * search latency at 10k and 100k against that server, e.g. a full Milvus standalone, in its collection
 * {@code search} (dropped first); the rows are inserted (see {@link RawClient#insert}).
 */
public final class MilvusBench {
    private static final int[] BATCH_SIZES = {64, 256, 1024};
    private static final int TEXT_CHARS = 300;
    private static final int SEARCHES = 500;

    private final Map<String, Object> json = new LinkedHashMap<>();
    private final List<String> table = new ArrayList<>();
    private final Random random = new Random(2024);

    public static void main(String[] args) throws Exception {
        Path out = Path.of(System.getProperty("bench.out", "target/bench"));
        String external = System.getProperty("tier0.bench.milvus.uri");
        if (external != null) {
            new MilvusBench().runExternal(external, out);
        } else {
            new MilvusBench().run(out);
        }
    }

    private void run(Path out) throws Exception {
        Path work = Files.createTempDirectory("tier0-milvus-bench");
        try {
            json.put("server", "milvus-lite 3.2.2 (subprocess, " + Runtime.getRuntime().availableProcessors()
                    + " cpus visible)");
            List<String> parts = List.of(System.getProperty("bench.parts", "convert,upsert,disk,search").split(","));
            if (parts.contains("convert")) {
                conversionCost(384);
                conversionCost(2560);
            }
            if (parts.contains("upsert")) {
                upsertThroughput(work.resolve("upsert"), 384, 6 * 1024);
                upsertThroughput(work.resolve("upsert2560"), 2560, 2 * 1024);
            }
            if (parts.contains("disk")) {
                bytesPerItem(work.resolve("disk2560"), 2560, 4_000);
            }
            if (parts.contains("search")) {
                for (String size : System.getProperty("bench.sizes", "10000,100000").split(",")) {
                    int n = Integer.parseInt(size.trim());
                    searchAndDisk384(work.resolve("search" + n), n, n == 10_000);
                }
            }
        } finally {
            deleteTree(work);
        }
        Files.createDirectories(out);
        Path file = out.resolve("milvus.json");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), json);
        System.out.println();
        System.out.println("tier0 milvus benchmark (Milvus Lite)");
        table.forEach(System.out::println);
        System.out.println("written " + file);
    }

    private void runExternal(String uri, Path out) throws Exception {
        try (RawClient raw = new RawClient(uri);
             MemoryStore store = MemoryStore.connect(MilvusConfig.builder().uri(uri).collection("search")
                     .rpcTimeoutMs(600_000).build())) {
            json.put("server", "Milvus " + raw.serverVersion() + " at " + uri);
            raw.dropIfExists("search");
            int dim = 384;
            store.ensureCollection(dim);
            TestVectors.Clustered data = new TestVectors.Clustered(random, dim, 100);
            int stored = 0;
            for (int n : new int[] {10_000, 100_000}) {
                String label = (n / 1000) + "k";
                long loadStart = System.nanoTime();
                for (; stored < n; stored += 1024) {
                    raw.insert("search", dim, memories(Math.min(1024, n - stored), dim, data, "s" + stored + "-"));
                }
                stored = n;
                double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
                long indexStart = System.nanoTime();
                raw.flushAwaitIndexAndLoad("search");
                double indexSeconds = (System.nanoTime() - indexStart) / 1e9;
                json.put("flush_and_index_s_" + label, round(indexSeconds));
                double[] lat = searchLatencies(store, data, SEARCHES);
                json.put("search_p50_ms_" + label, round(percentile(lat, 50)));
                json.put("search_p99_ms_" + label, round(percentile(lat, 99)));
                table.add(String.format("search  %4d dims  %7d stored, indexed, ef 50 p50 %7.2f ms  p99 %7.2f ms"
                        + "  (insert %.0f s, flush+index %.0f s)", dim, store.count(), percentile(lat, 50),
                        percentile(lat, 99), loadSeconds, indexSeconds));
            }
        }
        Files.createDirectories(out);
        Path file = out.resolve("milvus.json");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), json);
        System.out.println();
        System.out.println("tier0 milvus benchmark (" + json.get("server") + ", search only)");
        table.forEach(System.out::println);
        System.out.println("written " + file);
    }

    /** Client CPU per row to build an upsert of 256 rows, tier0's way against the SDK's (best of 30 passes). */
    private void conversionCost(int dim) {
        List<StoredMemory> rows = memories(256, dim, new TestVectors.Clustered(random, dim, 100), "c");
        double[] micros = ConversionCost.microsPerRow(rows, dim, 30);
        json.put("upsert_client_us_per_row_" + dim, round(micros[0]));
        json.put("upsert_client_us_per_row_sdk_rows_" + dim, round(micros[1]));
        table.add(String.format("upsert  %4d dims  client CPU per row: tier0 columns %.1f us, SDK rows %.1f us (%.1fx)",
                dim, micros[0], micros[1], micros[1] / micros[0]));
    }

    private void upsertThroughput(Path dataDir, int dim, int vectors) {
        Map<String, Long> byBatch = new LinkedHashMap<>();
        long best = 0;
        try (MilvusLite lite = MilvusLite.start(dataDir)) {
            for (int batchSize : BATCH_SIZES) {
                String collection = "upsert_" + dim + "_" + batchSize;
                try (MemoryStore store = MemoryStore.connect(config(lite, collection))) {
                    store.ensureCollection(dim);
                    List<StoredMemory> items = memories(vectors, dim, new TestVectors.Clustered(random, dim, 100), "u");
                    store.upsert(items.subList(0, batchSize)); // warm-up: connection, first write path
                    long start = System.nanoTime();
                    for (int from = batchSize; from < items.size(); from += batchSize) {
                        store.upsert(items.subList(from, Math.min(items.size(), from + batchSize)));
                    }
                    double seconds = (System.nanoTime() - start) / 1e9;
                    long vps = Math.round((items.size() - batchSize) / seconds);
                    byBatch.put(Integer.toString(batchSize), vps);
                    best = Math.max(best, vps);
                    table.add(String.format("upsert  %4d dims  batch %4d  %8d vectors/s", dim, batchSize, vps));
                }
            }
        }
        json.put("upsert_vps_" + dim, best);
        json.put("upsert_vps_by_batch_" + dim, byBatch);
    }

    /**
     * Loads n items, measures search before and after the rows are flushed and indexed, and the disk footprint.
     * Indexed search runs with tier0's search executor, then with milvus-lite's own on the same directory, then
     * with tier0's again (the servers restart in between; both figures are kept, and the first with tier0's is
     * the one the JSON's {@code search_p50_ms_<size>} keys report), and recall@10 against exact brute force.
     */
    private void searchAndDisk384(Path dataDir, int n, boolean measureUnflushed) throws IOException {
        int dim = 384;
        String label = (n / 1000) + "k";
        TestVectors.Clustered data = new TestVectors.Clustered(random, dim, 100);
        List<float[]> stored = new ArrayList<>(n);
        try (MilvusLite lite = MilvusLite.start(dataDir, true);
             MemoryStore store = MemoryStore.connect(config(lite, "search"));
             RawClient raw = new RawClient(lite.uri())) {
            store.ensureCollection(dim);
            long loadStart = System.nanoTime();
            for (int from = 0; from < n; from += 1024) {
                List<StoredMemory> batch = memories(Math.min(1024, n - from), dim, data, "s" + from + "-");
                batch.forEach(m -> stored.add(m.vector()));
                store.upsert(batch);
            }
            double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
            table.add(String.format("load    %4d dims  %7d items in %.1f s", dim, n, loadSeconds));
            if (measureUnflushed) {
                double[] lat = searchLatencies(store, data, 50);
                json.put("search_p50_ms_" + label + "_unflushed", round(percentile(lat, 50)));
                table.add(String.format("search  %4d dims  %7d stored, unflushed      p50 %7.2f ms  p99 %7.2f ms",
                        dim, n, percentile(lat, 50), percentile(lat, 99)));
            }
            long indexStart = System.nanoTime();
            raw.flushAndIndex("search");
            double indexSeconds = (System.nanoTime() - indexStart) / 1e9;
            json.put("flush_and_index_s_" + label, round(indexSeconds));
            table.add(String.format("flush+index %7d items in %.0f s", n, indexSeconds));
        }
        // tier0's executor, milvus-lite's own, tier0's again: each on a freshly started server over the same files
        String[] runs = {"", "_lite_own_executor", "_repeat"};
        boolean[] patch = {true, false, true};
        for (int r = 0; r < runs.length; r++) {
            try (MilvusLite lite = MilvusLite.start(dataDir, patch[r]);
                 MemoryStore store = MemoryStore.connect(config(lite, "search"))) {
                double[] lat = searchLatencies(store, data, SEARCHES);
                json.put("search_p50_ms_" + label + runs[r], round(percentile(lat, 50)));
                json.put("search_p99_ms_" + label + runs[r], round(percentile(lat, 99)));
                String what = patch[r] ? "tier0 executor" : "lite's own executor";
                table.add(String.format("search  %4d dims  %7d stored, indexed, ef 50 p50 %7.2f ms  p99 %7.2f ms"
                        + "  (%s)", dim, n, percentile(lat, 50), percentile(lat, 99), what));
                if (r == 0) {
                    double recall = recallAt10(store, data, stored, 100);
                    json.put("recall_at_10_" + label, round4(recall));
                    table.add(String.format("recall  %4d dims  %7d stored, indexed, ef 50 recall@10 %.4f"
                            + " (100 queries, exact brute force)", dim, n, recall));
                }
                if (n == 10_000 && r == runs.length - 1) {
                    lite.stop(); // let it close its files before measuring
                    recordBytes(dim, dataDir, n);
                }
            }
        }
    }

    /** Fraction of the exact top 10 (brute-force cosine over every stored vector) that the search returns. */
    private static double recallAt10(MemoryStore store, TestVectors.Clustered data, List<float[]> stored,
            int queries) {
        int found = 0;
        for (int q = 0; q < queries; q++) {
            float[] query = data.next();
            double[] best = new double[10];
            Arrays.fill(best, Double.NEGATIVE_INFINITY);
            for (float[] v : stored) {
                double c = TestVectors.cosine(query, v);
                if (c > best[9]) {
                    int i = 9;
                    while (i > 0 && best[i - 1] < c) {
                        best[i] = best[i - 1];
                        i--;
                    }
                    best[i] = c;
                }
            }
            // compare by score: ids of equal vectors may tie, and the scores are what search promises
            for (Hit h : store.search(new SearchQuery(query, "bench", 10, Map.of(), 50, null))) {
                if (h.score() >= best[9] - 1e-5) {
                    found++;
                }
            }
        }
        return found / (double) (queries * 10);
    }

    private void bytesPerItem(Path dataDir, int dim, int n) throws IOException {
        try (MilvusLite lite = MilvusLite.start(dataDir);
             MemoryStore store = MemoryStore.connect(config(lite, "disk"));
             RawClient raw = new RawClient(lite.uri())) {
            store.ensureCollection(dim);
            TestVectors.Clustered data = new TestVectors.Clustered(random, dim, 100);
            for (int from = 0; from < n; from += 256) {
                store.upsert(memories(Math.min(256, n - from), dim, data, "d" + from + "-"));
            }
            raw.flushAndIndex("disk");
            lite.stop();
            recordBytes(dim, dataDir, n);
        }
    }

    private void recordBytes(int dim, Path dataDir, int n) throws IOException {
        long bytes = treeSize(dataDir);
        long perItem = bytes / n;
        json.put("bytes_per_item_" + dim, perItem);
        table.add(String.format("disk    %4d dims  %7d items  %6d bytes/item (vectors, %d-char text, metadata,"
                + " HNSW index)", dim, n, perItem, TEXT_CHARS));
    }

    private double[] searchLatencies(MemoryStore store, TestVectors.Clustered data, int count) {
        for (int i = 0; i < Math.min(20, count); i++) {
            store.search(new SearchQuery(data.next(), "bench", 10, Map.of(), 50, null));
        }
        double[] ms = new double[count];
        for (int i = 0; i < count; i++) {
            float[] q = data.next();
            long start = System.nanoTime();
            int hits = store.search(new SearchQuery(q, "bench", 10, Map.of(), 50, null)).size();
            ms[i] = (System.nanoTime() - start) / 1e6;
            if (hits != 10) {
                // an empty answer is fast too: never let one pass as a latency (rows a server failed to find)
                throw new IllegalStateException("search found " + hits + " of 10 hits");
            }
        }
        Arrays.sort(ms);
        return ms;
    }

    private List<StoredMemory> memories(int count, int dim, TestVectors.Clustered data, String prefix) {
        List<StoredMemory> items = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String id = prefix + i;
            items.add(new StoredMemory(id, "bench", data.next(), text(id), Map.of("source", "bench", "n", i),
                    "bench-topic", i % 12, i, 1_700_000_000_000L + i, "bench-model"));
        }
        return items;
    }

    private String text(String id) {
        StringBuilder sb = new StringBuilder(TEXT_CHARS).append(id).append(' ');
        while (sb.length() < TEXT_CHARS) {
            sb.append((char) ('a' + random.nextInt(26)));
            if (random.nextInt(6) == 0) {
                sb.append(' ');
            }
        }
        return sb.substring(0, TEXT_CHARS);
    }

    private static MilvusConfig config(MilvusLite lite, String collection) {
        return MilvusConfig.builder().uri(lite.uri()).collection(collection).rpcTimeoutMs(600_000).build();
    }

    private static double percentile(double[] sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static double round4(double v) {
        return Math.round(v * 10_000) / 10_000.0;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static long treeSize(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
