package dev.tier0.connect;

import dev.tier0.ingest.IngestWriter;
import dev.tier0.ingest.Outcome;
import dev.tier0.ingest.PreparedBatch;
import dev.tier0.ingest.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the shared {@link IngestWriter} on three threads, in order: while the writer thread stores batch n, the
 * embedder thread runs the model on batch n+1 and the planner thread plans batch n+2 (its checks, passages and
 * stored-fingerprint read: {@link IngestWriter#plan}), so the model does not wait for them. The planner hands a
 * plan over only when the model takes it; one prepared batch waits for the writer at most. Finished batches come
 * back through {@link #completed()} for the task thread to settle their offsets and report their rejections;
 * nothing here touches Connect's APIs.
 *
 * <p>The writer retries a transient store failure per the policy and hands back what it could not write as
 * Unavailable; this keeps the batch and tries again at the longest backoff while {@link #unavailable()} tells the
 * task to report a RetriableException. What the writer throws (a system failure) is {@link #failure() fatal}.
 */
final class WritePipeline implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WritePipeline.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

  private final IngestWriter writer;
  private final RetryPolicy retry;
  private final BlockingQueue<Batch> toPlan = new LinkedBlockingQueue<>();
  private final BlockingQueue<Batch> toEmbed = new SynchronousQueue<>(); // planned while the model runs, no more
  private final BlockingQueue<Batch> toWrite = new ArrayBlockingQueue<>(1);
  private final BlockingQueue<Batch> completed = new LinkedBlockingQueue<>();
  private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
  private final List<Thread> threads; // planner, embedder, writer
  private volatile Throwable unavailable;
  private volatile boolean closing;

  WritePipeline(String name, IngestWriter writer, RetryPolicy retry) {
    this.writer = writer;
    this.retry = retry;
    this.threads = List.of(new Thread(() -> run(this::planNext), "tier0-plan-" + name),
        new Thread(() -> run(this::embedNext), "tier0-embed-" + name),
        new Thread(() -> run(this::writeNext), "tier0-write-" + name));
    for (Thread t : threads) {
      t.setDaemon(true);
      t.start();
    }
  }

  void submit(Batch batch) {
    toPlan.add(batch);
  }

  /** Batches fully written (or rejected record by record), oldest first; empties the queue. */
  List<Batch> completed() {
    List<Batch> done = new ArrayList<>();
    completed.drainTo(done);
    return done;
  }

  /** A failure that stops this pipeline: nothing after it is written. */
  RuntimeException failure() {
    return failure.get();
  }

  /** Why the store is unavailable, while a write keeps failing past its retries; null when it answers. */
  Throwable unavailable() {
    return unavailable;
  }

  private void planNext() throws InterruptedException {
    Batch batch = toPlan.take();
    batch.planned(writer.plan(batch.requests()));
    handOver(toEmbed, batch);
  }

  private void embedNext() throws InterruptedException {
    Batch batch = toEmbed.take();
    stopIfClosing(); // a batch handed over as close() began: not worth a model run
    batch.prepared(writer.embed(batch.takePlan()));
    handOver(toWrite, batch);
  }

  /**
   * Waits for the next stage to take the batch, until closing: a store read or the model may have swallowed the
   * interrupt close() sent, and the next stage's thread is gone by then.
   */
  private void handOver(BlockingQueue<Batch> next, Batch batch) throws InterruptedException {
    while (!next.offer(batch, 100, TimeUnit.MILLISECONDS)) {
      stopIfClosing();
    }
  }

  private void stopIfClosing() throws InterruptedException {
    if (closing || failure.get() != null) {
      throw new InterruptedException("closing");
    }
  }

  private void writeNext() throws InterruptedException {
    Batch batch = toWrite.take();
    stopIfClosing();
    PreparedBatch prepared = batch.prepared();
    store(batch);
    while (!prepared.settled()) {
      Throwable cause = prepared.outcomes().stream().filter(o -> o instanceof Outcome.Unavailable)
          .map(o -> ((Outcome.Unavailable) o).cause()).findFirst().orElse(null);
      if (unavailable == null) {
        LOG.warn("Milvus write still failing after {} retries; records are kept and retried every {} ms: {}",
            retry.maxRetries(), retry.maxBackoff().toMillis(), cause == null ? "" : cause.getMessage());
      }
      unavailable = cause == null ? new IllegalStateException("Milvus unavailable") : cause;
      TimeUnit.MILLISECONDS.sleep(retry.maxBackoff().toMillis());
      if (closing) {
        throw new InterruptedException("closing");
      }
      store(batch);
    }
    if (unavailable != null) {
      // a batch abandoned because its partitions left the task says nothing about Milvus: the next one will
      if (prepared.outcomes().stream().noneMatch(o -> o instanceof Outcome.Abandoned)) {
        LOG.info("Milvus answers again");
      }
      unavailable = null;
    }
    count(prepared.outcomes());
    completed.add(batch);
  }

  /**
   * One writer call, counting the transient store failures it met. Records of partitions the task no longer owns
   * are abandoned, not written (see {@link Ownership}).
   */
  private void store(Batch batch) throws InterruptedException {
    PreparedBatch prepared = batch.prepared();
    int before = prepared.transientFailures();
    try {
      writer.store(prepared, batch::ownsSourceOf);
    } finally {
      SinkMetrics.INSTANCE.transientFailures.addAndGet(prepared.transientFailures() - before);
    }
  }

  private static void count(List<Outcome> outcomes) {
    for (Outcome o : outcomes) {
      if (o instanceof Outcome.Stored) {
        SinkMetrics.INSTANCE.stored.incrementAndGet();
      } else if (o instanceof Outcome.Deleted) {
        SinkMetrics.INSTANCE.deleted.incrementAndGet();
      }
    }
  }

  private void run(Stage stage) {
    try {
      while (!closing && failure.get() == null) {
        stage.next();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // closing
    } catch (RuntimeException e) {
      if (!closing) {
        failure.compareAndSet(null, e);
        LOG.error("{} stopped", Thread.currentThread().getName(), e);
      }
    } catch (Error e) {
      // the task must fail, not wait for ever on a stage that is gone (an OutOfMemoryError, a native library)
      failure.compareAndSet(null, new IllegalStateException(Thread.currentThread().getName() + " died", e));
      LOG.error("{} died", Thread.currentThread().getName(), e);
      throw e;
    }
  }

  @FunctionalInterface
  private interface Stage {
    void next() throws InterruptedException;
  }

  /** Stops the three threads; batches not yet written are dropped (their offsets were never committed). */
  @Override
  public void close() {
    closing = true;
    threads.forEach(Thread::interrupt);
    long deadline = System.nanoTime() + CLOSE_TIMEOUT.toNanos(); // one timeout for all three
    try {
      for (Thread t : threads) {
        t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Thread t : threads) {
      if (t.isAlive()) {
        LOG.warn("{} did not stop within {}", t.getName(), CLOSE_TIMEOUT);
      }
    }
  }
}
