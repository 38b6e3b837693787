package dev.tier0.connect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tier0.ingest.FaultyStore;
import dev.tier0.ingest.ForwardingStore;
import dev.tier0.ingest.VectorStore;
import dev.tier0.milvus.StoredMemory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
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
    task = started(store);
  }

  /** A task as a worker starts it: started, then given {@link #PARTITION}. */
  private Tier0SinkTask started(VectorStore store) {
    Tier0SinkTask task = new Tier0SinkTask(store);
    task.initialize(context);
    Map<String, String> props = new HashMap<>();
    props.put("errors.tolerance", "all");
    props.put("write.batch.max.records", "50");
    props.put("write.linger.ms", "0");
    props.put("write.retry.max.retries", "1");
    props.put("write.retry.backoff.ms", "1");
    props.put("write.retry.backoff.max.ms", "50");
    task.start(props);
    task.open(Set.of(PARTITION));
    return task;
  }

  @AfterEach
  void stop() {
    if (task != null) {
      task.stop();
    }
    if (newOwner != null) {
      newOwner.stop();
    }
  }

  private Tier0SinkTask newOwner;

  private static List<SinkRecord> fifty(String idPrefix, String text, long firstOffset) {
    List<SinkRecord> records = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      records.add(new SinkRecord("notes", 0, null, idPrefix + i, null, text + " " + i, firstOffset + i));
    }
    return records;
  }

  /** Fails when, within {@code period}, any stored memory's text starts with {@code stale}. */
  private void assertNeverStored(String stale, Duration period) throws InterruptedException {
    long deadline = System.nanoTime() + period.toNanos();
    while (System.nanoTime() < deadline) {
      assertThat(store.rows.values()).noneSatisfy(m -> assertThat(m.text()).startsWith(stale));
      Thread.sleep(10);
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

  private long commitUntil(long next) throws InterruptedException {
    return commitUntil(task, next);
  }

  /** put() and preCommit() as the worker calls them, until the committed offset reaches {@code next}. */
  private static long commitUntil(Tier0SinkTask task, long next) throws InterruptedException {
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

  /**
   * The soak's stale overwrite: a rebalance moves the partition while this task still has batches in flight (one
   * held in the store, the next waiting behind it); the new owner writes the memories' newer version; then the old
   * task's held call returns. Its waiting batch must be abandoned, not written over the newer version.
   */
  @Test
  void aRevokedPartitionsBatchesInFlightAreNotWrittenOverItsNewOwnersWrites() throws Exception {
    HeldStore held = new HeldStore(store);
    task = started(held);
    task.put(fifty("n-", "note", 0)); // batch 1: its upsert is held in the store
    held.entered.await();
    task.put(fifty("late-", "first version", 50)); // batch 2: waits behind batch 1
    task.close(Set.of(PARTITION)); // the rebalance
    newOwner = started(store);
    newOwner.put(fifty("n-", "note", 0)); // the new owner reads from the committed offset, 0
    newOwner.put(fifty("late-", "first version", 50));
    newOwner.put(fifty("late-", "second version", 100));
    assertThat(commitUntil(newOwner, 150)).isEqualTo(150);
    assertThat(store.rows.get("late-7").text()).isEqualTo("second version 7");
    held.release.countDown(); // the old task's call returns
    assertNeverStored("first version", Duration.ofSeconds(2));
  }

  /** The same through an outage: a write retrying when its partition is revoked stops retrying. */
  @Test
  void aRevokedPartitionsWriteRetryingThroughAnOutageIsAbandoned() throws Exception {
    store.down = true;
    start();
    task.put(fifty("late-", "first version", 0));
    awaitRetriable();
    task.close(Set.of(PARTITION));
    store.down = false;
    assertNeverStored("first version", Duration.ofSeconds(2));
    task.open(Set.of(PARTITION)); // back to this task, which reads again from 0: nothing abandoned is committed
    OffsetAndMetadata committed = task.preCommit(Map.of(PARTITION, new OffsetAndMetadata(0))).get(PARTITION);
    assertThat(committed == null ? 0 : committed.offset()).isZero();
  }

  /**
   * A store whose first upsert waits until released, ignoring interrupts as a call already on the wire does;
   * everything else goes straight to the delegate.
   */
  private static final class HeldStore extends ForwardingStore {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    private final AtomicBoolean first = new AtomicBoolean(true);

    HeldStore(VectorStore delegate) {
      super(delegate);
    }

    @Override
    public void upsert(List<StoredMemory> rows) {
      if (first.getAndSet(false)) {
        entered.countDown();
        boolean interrupted = false;
        while (release.getCount() > 0) {
          try {
            release.await();
          } catch (InterruptedException e) {
            interrupted = true;
          }
        }
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
      delegate.upsert(rows);
    }
  }

  @Test
  void shouldCommitPastRecordsATransformDroppedOnlyOnceEverythingPutIsSettled() throws Exception {
    store.down = true;
    start();
    task.put(fifty(-1));
    // the worker consumed 60: ten more records were dropped by a transform after these fifty
    Map<TopicPartition, OffsetAndMetadata> consumed = Map.of(PARTITION, new OffsetAndMetadata(60));
    awaitRetriable();
    assertThat(task.preCommit(consumed)).as("nothing stored yet").isEmpty();
    store.down = false;
    commitUntil(50);
    assertThat(task.preCommit(consumed)).containsEntry(PARTITION, new OffsetAndMetadata(60));
    TopicPartition untouched = new TopicPartition("notes", 1);
    task.open(Set.of(untouched));
    assertThat(task.preCommit(Map.of(untouched, new OffsetAndMetadata(7))))
        .as("a partition whose records were all dropped").containsEntry(untouched, new OffsetAndMetadata(7));
  }

  /**
   * At a task's stop the worker's closeAllPartitions asks about every partition the task has held, revoked ones
   * included, with the consumed offset it last saw: the task must not answer for a partition it no longer owns
   * (the worker ignored it with "Ignoring invalid task provided offset ... partition not assigned", six WARNs per
   * soak). Before, the forgotten partition looked settled and its consumed offset came back.
   */
  @Test
  void answersNoOffsetForAPartitionItNoLongerOwns() throws Exception {
    start();
    task.put(fifty(-1));
    commitUntil(50);
    task.close(Set.of(PARTITION));
    assertThat(task.preCommit(Map.of(PARTITION, new OffsetAndMetadata(60)))).isEmpty();
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
