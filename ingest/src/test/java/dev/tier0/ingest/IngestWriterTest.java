package dev.tier0.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tier0.embed.BundledModel;
import dev.tier0.embed.EngineOptions;
import dev.tier0.embed.SharedModels;
import dev.tier0.memory.Memory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The writer against the real bundled model and a store that fails on demand. */
class IngestWriterTest {
  private static Embedder model;
  private static final RetryPolicy QUICK = new RetryPolicy(2, Duration.ZERO, Duration.ZERO);

  private final FaultyStore store = new FaultyStore();
  private Embedder embedder;

  @BeforeAll
  static void loadModel() {
    model = new EngineEmbedder(SharedModels.acquire(BundledModel.directory(), EngineOptions.defaults()));
  }

  private IngestWriter writer() {
    return new IngestWriter(embedder == null ? model : embedder, store, WriteLimits.defaults(), QUICK);
  }

  private static WriteRequest upsert(int offset, String id, String text, Map<String, Object> metadata) {
    return new WriteRequest.Upsert(new Memory(id, "t1", text, metadata), new Source("memories", 0, offset, 1000L));
  }

  private static List<WriteRequest> fifty() {
    List<WriteRequest> requests = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      requests.add(upsert(i, "m" + i, "note number " + i, Map.of("n", i)));
    }
    return requests;
  }

  @Test
  void storesDeletesAndAppliesOnlyTheLastOperationPerId() throws Exception {
    store.rows.clear();
    List<Outcome> outcomes = writer().write(List.of(
        upsert(0, "a", "first version", Map.of()),
        upsert(1, "b", "stays", Map.of()),
        upsert(2, "a", "second version", Map.of()),
        new WriteRequest.Delete("gone", new Source("memories", 0, 3, 1000L))));
    assertThat(outcomes).containsExactly(Outcome.SUPERSEDED, Outcome.STORED, Outcome.STORED, Outcome.DELETED);
    assertThat(store.rows).containsOnlyKeys("a", "b");
    assertThat(store.rows.get("a").text()).isEqualTo("second version");
    assertThat(store.rows.get("a").offset()).isEqualTo(2);
    assertThat(store.rows.get("a").vector()).hasSize(model.dimension());
  }

  @Test
  void abandonsWhatTheCallerStopsOwningBeforeAnyStoreCallEvenBetweenRetries() throws Exception {
    IngestWriter writer = writer();
    PreparedBatch batch = writer.prepare(List.of(upsert(0, "kept", "kept", Map.of()),
        new WriteRequest.Delete("also kept", new Source("memories", 0, 1, 1000L)),
        upsert(2, "revoked", "revoked", Map.of())));
    writer.store(batch, r -> r.source().offset() != 2);
    assertThat(batch.outcomes()).containsExactly(Outcome.STORED, Outcome.DELETED, Outcome.ABANDONED);
    assertThat(store.rows).containsOnlyKeys("kept");

    // owned at the first call, not at the retry: a write retrying through an outage stops there
    store.down = true;
    java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
    PreparedBatch retried = writer.prepare(List.of(upsert(3, "late", "late", Map.of())));
    writer.store(retried, r -> asked.incrementAndGet() == 1);
    assertThat(asked.get()).as("asked before the first call and before the retry").isEqualTo(2);
    assertThat(retried.outcomes()).containsExactly(Outcome.ABANDONED);
    assertThat(retried.settled()).isTrue();
    store.down = false;
  }

  @Test
  void rejectsBlankTextBeforeTheModelAndTheStore() throws Exception {
    List<Outcome> outcomes = writer().write(List.of(upsert(0, "blank", " \t\n", Map.of()),
        upsert(1, "ok", "fine", Map.of())));
    assertThat(outcomes.get(0)).isInstanceOfSatisfying(Outcome.Rejected.class,
        r -> assertThat(r.reason()).contains("empty or whitespace"));
    assertThat(outcomes.get(1)).isEqualTo(Outcome.STORED);
    assertThat(store.rows).containsOnlyKeys("ok");
  }

  @Test
  void storesNonFiniteMetadataNumbersAsStrings() throws Exception {
    Map<String, Object> metadata = new java.util.LinkedHashMap<>();
    metadata.put("reading", Double.POSITIVE_INFINITY);
    metadata.put("low", Double.NEGATIVE_INFINITY);
    metadata.put("nested", Map.of("x", List.of(Double.NaN, 1.5, Float.NaN)));
    assertThat(writer().write(List.of(upsert(0, "inf", "sensor note", metadata)))).containsExactly(Outcome.STORED);
    Map<String, Object> stored = store.rows.get("inf").metadata();
    assertThat(stored).containsEntry("reading", "Infinity").containsEntry("low", "-Infinity");
    assertThat(stored.get("nested")).isEqualTo(Map.of("x", List.of("NaN", 1.5, "NaN")));
  }

  @Test
  void rejectsMetadataTooDeepOrTooLargeNamingTheLimitAndItsKey() throws Exception {
    Object deep = 1;
    for (int i = 0; i < 990; i++) {
      deep = List.of(deep);
    }
    List<Outcome> outcomes = writer().write(List.of(upsert(0, "deep", "deep", Map.of("m", deep)),
        upsert(1, "big", "big", Map.of("m", "x".repeat(70_000))),
        upsert(2, "ok", "fine", Map.of("m", List.of(List.of(1))))));
    assertThat(((Outcome.Rejected) outcomes.get(0)).reason()).contains("64 levels", "record.metadata.max.depth");
    assertThat(((Outcome.Rejected) outcomes.get(1)).reason()).contains("65536", "record.metadata.max.bytes");
    assertThat(outcomes.get(2)).isEqualTo(Outcome.STORED);
    assertThat(store.rows).containsOnlyKeys("ok");
  }

  @Test
  void rejectsOnlyTheRowTheStoreRefusesForGood() throws Exception {
    store.refuses = m -> m.chunk().memoryId().equals("m17");
    List<Outcome> outcomes = writer().write(fifty());
    assertThat(outcomes.get(17)).isInstanceOfSatisfying(Outcome.Rejected.class,
        r -> assertThat(r.reason()).contains("Milvus refused this record", "invalid row m17"));
    assertThat(outcomes).filteredOn(o -> o == Outcome.STORED).hasSize(49);
    assertThat(store.rows).hasSize(49).doesNotContainKey("m17");
    // found by halving, not by writing 50 rows one at a time
    assertThat(store.upsertCalls.get()).isLessThan(20);
  }

  @Test
  void rejectsARowTheStoreKeepsFailingWhileItAnswersOtherWrites() throws Exception {
    store.failsWhileAnswering = m -> m.chunk().memoryId().equals("m3");
    List<Outcome> outcomes = writer().write(fifty());
    assertThat(outcomes.get(3)).isInstanceOfSatisfying(Outcome.Rejected.class,
        r -> assertThat(r.reason()).contains("alone while it answers", "maximum recursion depth"));
    assertThat(store.rows).hasSize(49);
  }

  @Test
  void aStoreRefusingEveryRowIsASystemFailureNotFiftyRejections() {
    store.refuses = m -> true;
    assertThatThrownBy(() -> writer().write(fifty())).isInstanceOf(WriterFailedException.class)
        .hasMessageContaining("refused every row of a batch of 50");
  }

  @Test
  void aStoreThatRefusesEvenItsProbeIsASystemFailureNotARejectedRecord() {
    store.refuses = m -> true;
    store.probeFails = true; // e.g. permission denied on every call
    assertThatThrownBy(() -> writer().write(List.of(upsert(0, "one", "a lone record", Map.of()))))
        .isInstanceOf(WriterFailedException.class).hasMessageContaining("refuses every call");
  }

  @Test
  void aRateLimitedStoreIsBackedOffNeverSplitAndNoRowIsBlamed() throws Exception {
    store.overloaded = true;
    List<Outcome> outcomes = writer().write(fifty());
    assertThat(outcomes).allMatch(o -> o instanceof Outcome.Unavailable);
    assertThat(store.upsertCalls.get()).as("the first call plus QUICK's two retries").isEqualTo(3);
  }

  @Test
  void aStoreThatIsDownLeavesEverythingUnavailableThenStoresItAllWhenBack() throws Exception {
    IngestWriter writer = writer();
    store.down = true;
    PreparedBatch batch = writer.prepare(fifty());
    writer.store(batch);
    assertThat(batch.outcomes()).allMatch(o -> o instanceof Outcome.Unavailable);
    assertThat(batch.settled()).isFalse();
    // the first call plus QUICK's two retries, not a bisection of a dead store; each fails at its first store call,
    // the read of chunk 0 by id (the stored counts), before any upsert
    assertThat(batch.transientFailures()).isEqualTo(3);
    assertThat(store.upsertCalls.get()).isZero();
    store.down = false;
    writer.store(batch);
    assertThat(batch.outcomes()).containsOnly(Outcome.STORED);
    assertThat(store.rows).hasSize(50);
  }

  @Test
  void rejectsATextTheModelCannotEmbedAndKeepsItsNeighbours() throws Exception {
    embedder = failingOn(text -> text.contains("poison"));
    List<Outcome> outcomes = writer().write(List.of(upsert(0, "a", "fine", Map.of()),
        upsert(1, "p", "poison pill", Map.of()), upsert(2, "b", "fine too", Map.of())));
    assertThat(outcomes.get(1)).isInstanceOfSatisfying(Outcome.Rejected.class,
        r -> assertThat(r.reason()).contains("cannot embed", "tokenizer exploded"));
    assertThat(store.rows).containsOnlyKeys("a", "b");
  }

  @Test
  void aModelFailingOnEveryTextIsASystemFailure() {
    embedder = failingOn(text -> true);
    assertThatThrownBy(() -> writer().write(fifty())).isInstanceOf(WriterFailedException.class)
        .hasMessageContaining("model failed on every text");
    assertThat(store.rows).isEmpty();
  }

  @Test
  void rejectsNonFiniteVectors() throws Exception {
    embedder = new ForwardingEmbedder(model) {
      @Override
      public List<float[]> embedDocuments(List<String> texts) {
        return model.embedDocuments(texts).stream().map(v -> {
          float[] copy = v.clone();
          if (texts.get(0).contains("overflow")) {
            copy[0] = Float.POSITIVE_INFINITY;
          }
          return copy;
        }).toList();
      }
    };
    List<Outcome> outcomes = writer().write(List.of(upsert(0, "o", "fp16 overflow", Map.of())));
    assertThat(outcomes.get(0)).isInstanceOfSatisfying(Outcome.Rejected.class,
        r -> assertThat(r.reason()).contains("non-finite vector"));
    assertThat(store.rows).isEmpty();
  }

  private static Embedder failingOn(Predicate<String> poison) {
    return new ForwardingEmbedder(model) {
      @Override
      public List<float[]> embedDocuments(List<String> texts) {
        if (texts.stream().anyMatch(poison)) {
          throw new IllegalArgumentException("tokenizer exploded");
        }
        return model.embedDocuments(texts);
      }
    };
  }

}
