package dev.tier0.connect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tier0.embed.Passage;
import dev.tier0.ingest.ChunkSettings;
import dev.tier0.ingest.Embedder;
import dev.tier0.ingest.FaultyStore;
import dev.tier0.ingest.IngestWriter;
import dev.tier0.ingest.RetryPolicy;
import dev.tier0.ingest.Source;
import dev.tier0.ingest.WriteLimits;
import dev.tier0.ingest.WriteRequest;
import dev.tier0.memory.Memory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

class WritePipelineTest {
  private static final TopicPartition P0 = new TopicPartition("notes", 0);

  /** A model without a tokenizer that records which texts were cut and holds its first call until released. */
  private static class HeldModel implements Embedder {
    final Set<String> cut = ConcurrentHashMap.newKeySet();
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public String modelName() {
      return "held";
    }

    @Override
    public int dimension() {
      return 2;
    }

    @Override
    public List<float[]> embedDocuments(List<String> texts) {
      entered.countDown();
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      List<float[]> out = new ArrayList<>();
      for (String t : texts) {
        double a = t.hashCode() % 360 * Math.PI / 180;
        out.add(new float[] {(float) Math.cos(a), (float) Math.sin(a)});
      }
      return out;
    }

    @Override
    public List<float[]> embedQueries(List<String> queries) {
      return embedDocuments(queries);
    }

    @Override
    public int countTokens(String text) {
      return text.length();
    }

    @Override
    public List<Passage> passages(String text, int maxTokens, int overlapTokens) {
      cut.add(text);
      return Embedder.super.passages(text, maxTokens, overlapTokens);
    }
  }

  private static Batch batch(Ownership ownership, long offset, String text) {
    SinkRecord record = new SinkRecord("notes", 0, null, null, null, text, offset);
    WriteRequest request = new WriteRequest.Upsert(new Memory("m" + offset, "t", text, Map.of()),
        new Source("notes", 0, offset, 0L));
    return new Batch(List.of(record), List.of(record), List.of(request), ownership);
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  @Test
  void theNextBatchIsCutWhileTheModelRunsAndEveryBatchIsWrittenInOrder() throws Exception {
    HeldModel model = new HeldModel();
    FaultyStore store = new FaultyStore();
    IngestWriter writer = new IngestWriter(model, store, WriteLimits.defaults(),
        new RetryPolicy(0, Duration.ZERO, Duration.ZERO), ChunkSettings.defaults());
    Ownership ownership = new Ownership();
    ownership.open(List.of(P0));
    try (WritePipeline pipeline = new WritePipeline("test", writer, new RetryPolicy(0, Duration.ZERO,
        Duration.ZERO))) {
      pipeline.submit(batch(ownership, 0, "the first memory"));
      assertThat(model.entered.await(30, TimeUnit.SECONDS)).as("the model runs on the first batch").isTrue();
      pipeline.submit(batch(ownership, 1, "the second memory"));
      pipeline.submit(batch(ownership, 2, "the third memory"));
      // the model is held on the first batch, and the second is already cut into passages
      await(() -> model.cut.contains("the second memory"), "the second batch planned while the model runs");
      assertThat(store.rows).isEmpty();
      model.release.countDown();
      List<Batch> done = new ArrayList<>();
      await(() -> {
        done.addAll(pipeline.completed());
        return done.size() == 3;
      }, "three batches written");
      assertThat(done).extracting(b -> b.lastOffsets().get(P0)).containsExactly(0L, 1L, 2L);
      assertThat(store.rows).containsOnlyKeys("m0", "m1", "m2");
      assertThat(pipeline.failure()).isNull();
    }
  }

  @Test
  void anErrorInAStageFailsThePipelineInsteadOfLeavingTheOthersWaiting() throws Exception {
    HeldModel model = new HeldModel() {
      @Override
      public List<Passage> passages(String text, int maxTokens, int overlapTokens) {
        throw new UnsatisfiedLinkError("the tokenizer's native library is gone");
      }
    };
    model.release.countDown();
    IngestWriter writer = new IngestWriter(model, new FaultyStore(), WriteLimits.defaults(),
        new RetryPolicy(0, Duration.ZERO, Duration.ZERO), ChunkSettings.defaults());
    Ownership ownership = new Ownership();
    ownership.open(List.of(P0));
    WritePipeline pipeline = new WritePipeline("error", writer, new RetryPolicy(0, Duration.ZERO, Duration.ZERO));
    pipeline.submit(batch(ownership, 0, "a memory"));
    await(() -> pipeline.failure() != null, "the planner's error reported as the pipeline's failure");
    assertThat(pipeline.failure()).hasMessageContaining("tier0-plan-error died")
        .hasCauseInstanceOf(UnsatisfiedLinkError.class);
    long start = System.nanoTime();
    pipeline.close();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("close with the planner gone")
        .isLessThan(Duration.ofSeconds(5));
  }
}
