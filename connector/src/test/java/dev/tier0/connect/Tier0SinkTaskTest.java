package dev.tier0.connect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tier0.ingest.FaultyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The task with the real model and, through its constructor seam, a store that fails on demand: what it
 * stores, what it reports to the dead-letter queue, and which offsets it lets Connect commit.
 */
class Tier0SinkTaskTest {
  private static final TopicPartition PARTITION = new TopicPartition("notes", 0);
  private static final Duration WAIT = Duration.ofMinutes(1);

  private final FaultyStore store = new FaultyStore();
  private final Context context = new Context();
  private Tier0SinkTask task;

  private void start() {
    task = new Tier0SinkTask(store);
    task.initialize(context);
    Map<String, String> props = new HashMap<>();
    props.put("errors.tolerance", "all");
    props.put("write.batch.max.records", "50");
    props.put("write.linger.ms", "0");
    props.put("write.retry.max.retries", "1");
    props.put("write.retry.backoff.ms", "1");
    props.put("write.retry.backoff.max.ms", "50");
    task.start(props);
  }

  @AfterEach
  void stop() {
    if (task != null) {
      task.stop();
    }
  }

  private static List<SinkRecord> fifty(int badAt) {
    List<SinkRecord> records = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      String text = i == badAt ? "refused by the store" : "note number " + i;
      records.add(new SinkRecord("notes", 0, null, "n-" + i, null, text, i));
    }
    return records;
  }

  /** put() and preCommit() as the worker calls them, until the committed offset reaches {@code next}. */
  private long commitUntil(long next) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        task.put(List.of());
      } catch (RetriableException e) {
        // the store is down: the worker would call put() again after the timeout
      }
      OffsetAndMetadata committed = task.preCommit(Map.of(PARTITION, new OffsetAndMetadata(0))).get(PARTITION);
      if (committed != null && committed.offset() >= next) {
        return committed.offset();
      }
      Thread.sleep(20);
    }
    throw new AssertionError("offset " + next + " not committable within " + WAIT);
  }

  private void awaitRetriable() throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        task.put(List.of());
      } catch (RetriableException e) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no RetriableException within " + WAIT);
  }

  @Test
  void shouldStoreFortyNineRecordsReportTheOneTheStoreRefusesAndCommitAllFifty() throws Exception {
    store.refuses = m -> m.text().startsWith("refused");
    start();
    task.put(fifty(17));
    assertThat(commitUntil(50)).isEqualTo(50);
    assertThat(store.rows).hasSize(49).doesNotContainKey("n-17");
    assertThat(context.reported).singleElement().satisfies(r -> {
      assertThat(r.record().kafkaOffset()).isEqualTo(17);
      assertThat(r.error()).isInstanceOf(RejectedRecordException.class)
          .hasMessageContaining("Milvus refused this record");
    });
  }

  @Test
  void shouldCommitNothingWhileTheStoreIsDownAndEverythingOnceItIsBack() throws Exception {
    store.down = true;
    start();
    task.put(fifty(-1));
    awaitRetriable(); // the writer's retries are spent: the task tells the worker to wait
    assertThat(task.preCommit(Map.of(PARTITION, new OffsetAndMetadata(0)))).isEmpty();
    store.down = false;
    assertThat(commitUntil(50)).isEqualTo(50);
    assertThat(store.rows).hasSize(50);
    assertThat(context.reported).isEmpty();
  }

  private record Reported(SinkRecord record, Throwable error) {}

  /** The worker's side of the task: one partition, and a reporter that keeps what it is given. */
  private static final class Context implements SinkTaskContext {
    final List<Reported> reported = new ArrayList<>();

    @Override
    public Map<String, String> configs() {
      return Map.of();
    }

    @Override
    public void offset(Map<TopicPartition, Long> offsets) {}

    @Override
    public void offset(TopicPartition tp, long offset) {}

    @Override
    public void timeout(long timeoutMs) {}

    @Override
    public Set<TopicPartition> assignment() {
      return Set.of(PARTITION);
    }

    @Override
    public void pause(TopicPartition... partitions) {}

    @Override
    public void resume(TopicPartition... partitions) {}

    @Override
    public void requestCommit() {}

    @Override
    public PluginMetrics pluginMetrics() {
      return null; // the task registers no plugin metrics
    }

    @Override
    public ErrantRecordReporter errantRecordReporter() {
      return (record, error) -> {
        reported.add(new Reported(record, error));
        return CompletableFuture.completedFuture(null);
      };
    }
  }
}
