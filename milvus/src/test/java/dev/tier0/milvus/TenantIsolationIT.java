package dev.tier0.milvus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile tenant and filter values never widen a search beyond its tenant, and never break the expression. */
class TenantIsolationIT {
    private static final int DIM = 16;
    /** Real tenants, themselves awkward. */
    private static final List<String> TENANTS = List.of("alpha", "be\"ta", "gam\\ma ü😀 'x'");
    private static final List<String> KINDS = List.of("plain", "q\"uote", "back\\slash", "\" or tenant != \"",
            "ünï😀", "new\nline", "it's", "tab\there");
    private static final List<String> HOSTILE = List.of(
            "\" or tenant != \"", "alpha\" or tenant != \"alpha", "alpha\" || true || \"", "alpha' or '1'=='1",
            "alpha\\", "\\\"", "\\", "\"", "'", "alpha\" or metadata[\"kind\"] != \"", "alpha\u0000",
            "ALPHA", "alpha ", "", "\n", "tenant", "alpha\") or (tenant != \"", "🙂".repeat(50),
            "x".repeat(10 * 1024), "\"".repeat(5 * 1024), "\\".repeat(10 * 1024));

    @TempDir
    static Path dir;
    static MilvusLite lite;
    static MemoryStore store;
    static final Map<String, String> OWNER = new HashMap<>();
    static final Map<String, String> KIND = new HashMap<>();

    @BeforeAll
    static void load() {
        lite = MilvusLite.start(dir.resolve("data"));
        store = MemoryStore.connect(MilvusConfig.builder().uri(lite.uri()).collection("tenants").build());
        store.ensureCollection(DIM);
        Random random = new Random(3);
        List<StoredMemory> batch = new ArrayList<>();
        for (int t = 0; t < TENANTS.size(); t++) {
            for (int i = 0; i < 80; i++) {
                String id = "t" + t + "-" + i;
                String kind = KINDS.get(i % KINDS.size());
                OWNER.put(id, TENANTS.get(t));
                KIND.put(id, kind);
                batch.add(TestVectors.memory(id, TENANTS.get(t), TestVectors.randomUnit(random, DIM),
                        Map.of("kind", kind)));
            }
        }
        store.upsert(batch);
        assertThat(store.count()).isEqualTo(batch.size());
    }

    @AfterAll
    static void stop() {
        store.close();
        lite.close();
    }

    @Test
    void aThousandHostileSearchesNeverCrossATenant() {
        Random random = new Random(17);
        List<String> tenants = new ArrayList<>(TENANTS);
        tenants.addAll(HOSTILE);
        List<String> filterValues = new ArrayList<>(KINDS);
        filterValues.addAll(HOSTILE);
        int hitsSeen = 0;
        for (int n = 0; n < 1_000; n++) {
            String tenant = tenants.get(random.nextInt(tenants.size()));
            Map<String, String> filter = random.nextBoolean() ? Map.of()
                    : Map.of("kind", filterValues.get(random.nextInt(filterValues.size())));
            List<Hit> hits = store.search(new SearchQuery(TestVectors.randomUnit(random, DIM), tenant, 10, filter,
                    0, null));
            for (Hit hit : hits) {
                assertThat(OWNER.get(hit.id())).as("owner of %s for tenant %s", hit.id(), tenant).isEqualTo(tenant);
                if (!filter.isEmpty()) {
                    assertThat(KIND.get(hit.id())).isEqualTo(filter.get("kind"));
                    assertThat(hit.metadata()).containsEntry("kind", filter.get("kind"));
                }
            }
            if (TENANTS.contains(tenant) && filter.isEmpty()) {
                assertThat(hits).as("a real tenant finds its own memories").hasSize(10);
            }
            hitsSeen += hits.size();
        }
        assertThat(hitsSeen).as("the real tenants were searched too").isGreaterThan(500);
    }

    @Test
    void everyAwkwardMetadataValueIsFoundExactly() {
        Random random = new Random(19);
        for (String tenant : TENANTS) {
            for (String kind : KINDS) {
                List<Hit> hits = store.search(new SearchQuery(TestVectors.randomUnit(random, DIM), tenant, 50,
                        Map.of("kind", kind), 0, null));
                assertThat(hits).as("tenant %s kind %s", tenant, kind).hasSize(10)
                        .allSatisfy(h -> assertThat(KIND.get(h.id())).isEqualTo(kind));
            }
        }
    }

    @Test
    void unsafeFilterKeysAreRejectedBeforeReachingTheServer() {
        for (String key : List.of("kind\"] == \"x\" or tenant != \"", "a b", "kind]", "")) {
            assertThatThrownBy(() -> store.search(new SearchQuery(new float[DIM], "alpha", 5, Map.of(key, "v"), 0,
                    null))).isInstanceOf(InvalidFilterException.class);
        }
    }
}
