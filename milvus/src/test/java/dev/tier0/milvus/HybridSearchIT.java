package dev.tier0.milvus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keyword, hybrid and dense search, typed filters, recency and the pre-BM25 collection, all on real Milvus Lite
 * with the Java SDK's requests. Vectors are random, so what the keyword leg finds comes from the text alone.
 */
class HybridSearchIT {
    private static final int DIM = 16;
    private static final long DAY = Duration.ofDays(1).toMillis();
    private static final long NOW = 1_790_000_000_000L;

    @TempDir
    static Path dir;
    static MilvusLite lite;
    static MemoryStore store;
    static final Map<String, String> OWNER = new HashMap<>();
    static final Random RANDOM = new Random(5);

    @BeforeAll
    static void load() {
        lite = MilvusLite.start(dir.resolve("data"));
        store = MemoryStore.connect(MilvusConfig.builder().uri(lite.uri()).collection("hybrid").build());
        store.ensureCollection(DIM);
        List<StoredMemory> batch = new ArrayList<>();
        for (String tenant : List.of("alpha", "beta")) {
            for (int i = 0; i < 40; i++) {
                Map<String, Object> metadata = new LinkedHashMap<>();
                metadata.put("priority", i % 4);
                metadata.put("done", i % 2 == 0);
                metadata.put("kind", i % 3 == 0 ? "note" : "task");
                metadata.put("score", i / 10.0);
                String id = tenant + "-" + i;
                OWNER.put(id, tenant);
                batch.add(new StoredMemory(id, tenant, TestVectors.randomUnit(RANDOM, DIM),
                        "memory number " + i + " of " + tenant + " mentions code ZX" + (1000 + i) + " and weather",
                        metadata, "topic", 0, i, NOW - i * DAY, "test-model"));
            }
        }
        // the issue's case: metadata {"priority": 1, "done": false}
        Map<String, Object> issue = new LinkedHashMap<>();
        issue.put("priority", 1);
        issue.put("done", false);
        batch.add(new StoredMemory("issue-13", "gamma", TestVectors.randomUnit(RANDOM, DIM), "the kid avoids peanuts",
                issue, "topic", 0, 99, NOW, "test-model"));
        OWNER.put("issue-13", "gamma");
        store.upsert(batch);
        assertThat(store.count()).isEqualTo(batch.size());
    }

    @AfterAll
    static void stop() {
        store.close();
        lite.close();
    }

    private static SearchResult search(String tenant, String text, SearchMode mode, MetadataFilter filter) {
        return store.searchMemories(new SearchQuery(TestVectors.randomUnit(RANDOM, DIM), tenant, 10, null, 0, null,
                new SearchOptions(text, mode, null, filter, null)));
    }

    @Test
    void aNewCollectionHasTheBm25FieldAndDefaultsToHybrid() {
        assertThat(store.keywordCapable()).isTrue();
        SearchResult result = search("alpha", "ZX1017", null, null);
        assertThat(result.mode()).isEqualTo(SearchMode.HYBRID);
        // the query vector is random: the keyword leg alone puts alpha-17 in (its RRF share ties the dense top 1)
        assertThat(result.hits()).extracting(Hit::id).contains("alpha-17");
    }

    @Test
    void keywordFindsTheExactTokenWithAPositiveBm25Score() {
        SearchResult result = search("alpha", "ZX1023", SearchMode.KEYWORD, null);
        assertThat(result.mode()).isEqualTo(SearchMode.KEYWORD);
        assertThat(result.hits()).extracting(Hit::id).containsExactly("alpha-23");
        assertThat(result.hits().get(0).score()).isPositive();
    }

    @Test
    void weightedFusionServesToo() {
        SearchResult result = store.searchMemories(new SearchQuery(TestVectors.randomUnit(RANDOM, DIM), "beta", 3,
                null, 0, null, new SearchOptions("zx1005", SearchMode.HYBRID, Fusion.weighted(0.2f), null, null)));
        assertThat(result.hits().get(0).id()).isEqualTo("beta-5");
        // norm_score is sent: each leg is mapped into [0, 1] before the weighted sum, so the fused score is too
        // (without it the raw BM25 score of the rare token, times 0.8, is above 1)
        assertThat(result.hits().get(0).score()).isBetween(0f, 1f);
    }

    @Test
    void theIssuesNumberAndBooleanFiltersMatch() {
        for (SearchMode mode : SearchMode.values()) {
            MetadataFilter priority = new MetadataFilter(List.of(new MetadataFilter.Equals("priority", 1L)), null);
            MetadataFilter done = new MetadataFilter(List.of(new MetadataFilter.Equals("done", false)), null);
            assertThat(search("gamma", "peanuts", mode, priority).hits()).extracting(Hit::id)
                    .as(mode.wireName()).containsExactly("issue-13");
            assertThat(search("gamma", "peanuts", mode, done).hits()).extracting(Hit::id)
                    .as(mode.wireName()).containsExactly("issue-13");
            // the string "1" is not the number 1: types are kept
            MetadataFilter string = new MetadataFilter(List.of(new MetadataFilter.Equals("priority", "1")), null);
            assertThat(search("gamma", "peanuts", mode, string).hits()).as(mode.wireName()).isEmpty();
        }
    }

    @Test
    void inListsRangesAndTimeRangesCombineWithAnd() {
        MetadataFilter filter = new MetadataFilter(List.of(
                new MetadataFilter.In("priority", List.of(1L, 3L)),
                new MetadataFilter.Range("score", null, new BigDecimal("1.0"), new BigDecimal("3"), null),
                new MetadataFilter.Equals("kind", "task")),
                new MetadataFilter.TimeRange(null, NOW - 30 * DAY, null, null));
        for (SearchMode mode : SearchMode.values()) {
            List<String> ids = store.searchMemories(new SearchQuery(TestVectors.randomUnit(RANDOM, DIM), "alpha", 40,
                    null, 0, null, new SearchOptions("memory weather", mode, null, filter, null))).hits()
                    .stream().map(Hit::id).sorted().toList();
            // i in [10, 30), i % 4 in {1, 3} (odd), i % 3 != 0, age <= 30 days (i <= 30)
            List<String> expected = new ArrayList<>();
            for (int i = 10; i < 30; i++) {
                if (i % 2 == 1 && i % 3 != 0) {
                    expected.add("alpha-" + i);
                }
            }
            assertThat(ids).as(mode.wireName()).containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    /**
     * Issue 12 under issue 13's modes: memories of several passages that all match come back once each, in every
     * mode and with recency, so top_k counts memories (Milvus Lite accepts group_by on the BM25 search and on
     * hybridSearch); each hit names its best passage and carries the whole text read from chunk 0.
     */
    @Test
    void everyModeGroupsPassagesByMemory() {
        List<StoredMemory> rows = new ArrayList<>();
        Map<String, String> whole = new HashMap<>();
        for (int m = 0; m < 3; m++) {
            String memoryId = "long-" + m;
            List<String> passages = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                passages.add("passage " + c + " of " + memoryId + " says volcano ash number " + c + ". ");
            }
            String text = String.join("", passages);
            whole.put(memoryId, text);
            int start = 0;
            for (int c = 0; c < passages.size(); c++) {
                String p = passages.get(c);
                Chunk chunk = new Chunk(memoryId, c, passages.size(), start, start + p.length(), c == 0 ? text : "",
                        false, "");
                rows.add(new StoredMemory(Chunk.rowId(memoryId, c), "delta", TestVectors.randomUnit(RANDOM, DIM), p,
                        Map.of(), "topic", 0, 1000 + m * 10 + c, NOW - m * DAY, "test-model", chunk));
                start += p.length();
            }
        }
        store.upsert(rows);
        for (SearchMode mode : SearchMode.values()) {
            for (SearchOptions.Recency recency : java.util.Arrays.asList(null,
                    new SearchOptions.Recency(Duration.ofDays(2), NOW))) {
                SearchResult result = store.searchMemories(new SearchQuery(TestVectors.randomUnit(RANDOM, DIM),
                        "delta", 2, null, 0, null, new SearchOptions("volcano ash", mode, null, null, recency)));
                assertThat(result.hits()).as(mode + " recency " + recency).hasSize(2);
                assertThat(result.hits()).extracting(Hit::id).as(mode + " recency " + recency)
                        .doesNotHaveDuplicates().allMatch(whole::containsKey);
                for (Hit h : result.hits()) {
                    assertThat(h.chunkCount()).isEqualTo(4);
                    assertThat(h.text()).isEqualTo(whole.get(h.id()));
                    assertThat(h.text().substring(h.spanStart(), h.spanEnd())).isEqualTo(h.passage());
                    assertThat(h.passage()).contains("passage " + h.chunkIndex() + " of " + h.id());
                }
            }
        }
    }

    /**
     * The whole text of a long memory is read from its chunk 0 by primary key; row ids are not scoped by tenant, so a
     * chunk 0 another tenant wrote under the same memory id must not lend its text to this tenant's hit.
     */
    @Test
    void aHitNeverTakesItsWholeTextFromAnotherTenantsChunk() {
        String memoryId = "shared-long";
        List<StoredMemory> rows = new ArrayList<>();
        for (int c = 1; c < 3; c++) { // this tenant's passages 1 and 2; chunk 0 comes from the other tenant
            Chunk chunk = new Chunk(memoryId, c, 3, 10 * c, 10 * c + 9, "", false, "");
            rows.add(new StoredMemory(Chunk.rowId(memoryId, c), "zeta", TestVectors.randomUnit(RANDOM, DIM),
                    "zeta passage " + c + " about basalt", Map.of(), "topic", 0, 2000 + c, NOW, "test-model", chunk));
        }
        Chunk foreign = new Chunk(memoryId, 0, 3, 0, 9, "eta's private whole text", false, "");
        rows.add(new StoredMemory(Chunk.rowId(memoryId, 0), "eta", TestVectors.randomUnit(RANDOM, DIM),
                "eta passage", Map.of(), "topic", 0, 2000, NOW, "test-model", foreign));
        store.upsert(rows);
        for (SearchMode mode : SearchMode.values()) {
            SearchResult result = store.searchMemories(new SearchQuery(TestVectors.randomUnit(RANDOM, DIM), "zeta", 5,
                    null, 0, null, new SearchOptions("basalt", mode, null, null, null)));
            assertThat(result.hits()).as(mode.name()).extracting(Hit::id).containsExactly(memoryId);
            assertThat(result.hits().get(0).text()).as(mode.name()).doesNotContain("eta's private");
        }
    }

    @Test
    void recencyFavoursNewerMemoriesWithoutHidingAnOldExactMatch() {
        // every alpha memory says "weather"; with a 2-day half-life the newest come first
        SearchResult recent = store.searchMemories(new SearchQuery(TestVectors.randomUnit(RANDOM, DIM), "alpha", 5,
                null, 0, null, new SearchOptions("weather", SearchMode.KEYWORD, null, null,
                        new SearchOptions.Recency(Duration.ofDays(2), NOW))));
        assertThat(recent.hits()).extracting(Hit::id).containsExactly("alpha-0", "alpha-1", "alpha-2", "alpha-3",
                "alpha-4");
        // an exact code match of a 39-day-old memory still comes first: the decay floor keeps half its score
        SearchResult old = store.searchMemories(new SearchQuery(TestVectors.randomUnit(RANDOM, DIM), "alpha", 5,
                null, 0, null, new SearchOptions("zx1039 weather", SearchMode.KEYWORD, null, null,
                        new SearchOptions.Recency(Duration.ofDays(2), NOW))));
        assertThat(old.hits().get(0).id()).isEqualTo("alpha-39");
    }

    @Test
    void aPreBm25CollectionServesDenseAndRefusesHybridNamingTheMigration() {
        try (RawClient raw = new RawClient(lite.uri())) {
            raw.createPreBm25Collection("legacy", DIM);
        }
        try (MemoryStore legacy = MemoryStore.connect(MilvusConfig.builder().uri(lite.uri()).collection("legacy")
                .build())) {
            legacy.ensureCollection(DIM);
            legacy.upsert(List.of(TestVectors.memory("old-1", "alpha", TestVectors.randomUnit(RANDOM, DIM), null)));
            assertThat(legacy.keywordCapable()).isFalse();
            SearchResult dense = legacy.searchMemories(new SearchQuery(TestVectors.randomUnit(RANDOM, DIM), "alpha", 3,
                    null, 0, null, new SearchOptions("text", null, null, null, null)));
            assertThat(dense.mode()).isEqualTo(SearchMode.DENSE);
            assertThat(dense.hits()).extracting(Hit::id).containsExactly("old-1");
            for (SearchMode mode : List.of(SearchMode.HYBRID, SearchMode.KEYWORD)) {
                assertThatThrownBy(() -> legacy.searchMemories(new SearchQuery(TestVectors.randomUnit(RANDOM, DIM),
                        "alpha", 3, null, 0, null, new SearchOptions("text", mode, null, null, null))))
                        .isInstanceOf(UnsupportedModeException.class)
                        .hasMessageContaining("text_sparse").hasMessageContaining("re-ingest");
            }
        }
    }

    /** Hostile strings through every operator and value position, in every mode: never another tenant's row. */
    @Test
    void injectionThroughEveryOperatorAndValueTypeNeverCrossesATenant() {
        List<String> hostile = List.of("\" or tenant != \"", "alpha\" or tenant != \"alpha", "x\") or (true",
                "\\", "\\\"", "' or '1'=='1", "1 or 1==1", "true || true", "]) or tenant != \"[",
                "note\" || metadata[\"kind\"] != \"", "\n", "💥\u0000");
        List<MetadataFilter> filters = new ArrayList<>();
        for (String h : hostile) {
            filters.add(new MetadataFilter(List.of(new MetadataFilter.Equals("kind", h)), null));
            filters.add(new MetadataFilter(List.of(new MetadataFilter.In("kind", List.of("note", h))), null));
            filters.add(new MetadataFilter(List.of(new MetadataFilter.In("kind", List.of(h, h + "2"))), null));
        }
        filters.add(new MetadataFilter(List.of(new MetadataFilter.Equals("priority", 1e308)), null));
        filters.add(new MetadataFilter(List.of(new MetadataFilter.Equals("priority", -9_223_372_036_854_775_808L)),
                null));
        filters.add(new MetadataFilter(List.of(new MetadataFilter.Range("score",
                new BigDecimal("-1e400"), null, new BigDecimal("123456789012345678901234567890"), null)), null));
        filters.add(new MetadataFilter(List.of(new MetadataFilter.In("done", List.of(true, false))), null));
        filters.add(new MetadataFilter(List.of(), new MetadataFilter.TimeRange(Long.MIN_VALUE, null,
                Long.MAX_VALUE, null)));
        int seen = 0;
        for (MetadataFilter filter : filters) {
            for (SearchMode mode : SearchMode.values()) {
                for (String text : List.of("note", hostile.get(0), "tenant != \"alpha\"")) {
                    List<Hit> hits;
                    try {
                        hits = search("alpha", text, mode, filter).hits();
                    } catch (InvalidFilterException refused) {
                        continue; // refusing a value is as safe as matching it literally
                    }
                    for (Hit hit : hits) {
                        assertThat(OWNER.get(hit.id())).as("%s %s %s", mode, filter, hit.id()).isEqualTo("alpha");
                    }
                    seen += hits.size();
                }
            }
        }
        assertThat(seen).as("the non-hostile filters matched something").isPositive();
    }
}
