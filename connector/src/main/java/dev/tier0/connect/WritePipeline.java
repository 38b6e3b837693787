package dev.tier0.connect;

import dev.tier0.embed.Embedding;
import dev.tier0.embed.EmbeddingEngine;
import dev.tier0.milvus.MemoryStore;
import dev.tier0.milvus.PermanentStoreException;
import dev.tier0.milvus.SchemaMismatchException;
import dev.tier0.milvus.StoreException;
import dev.tier0.milvus.StoredMemory;
import dev.tier0.milvus.TransientStoreException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Embeds and stores sealed batches on two threads, in order: while the writer upserts batch n, the embedder
 * already works on batch n+1 (one batch ahead, no more). Finished batches come back through {@link #completed()}
 * for the task thread to settle their offsets and report their rejections; nothing here touches Connect's APIs.
 *
 * <p>Transient store failures are retried with exponential backoff; past the configured retries the batch is
 * kept and retried at the longest backoff while {@link #unavailable()} tells the task to report a
 * RetriableException. Permanent failures are narrowed down to the records at fault, which become rejections;
 * anything else (a schema mismatch, a store refusing every record) is {@link #failure() fatal}.
 */
final class WritePipeline implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WritePipeline.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

  private final EmbeddingEngine engine;
  private final Supplier<MemoryStore> connector;
  private final RetryPolicy retry;
  private final BlockingQueue<Batch> toEmbed = new LinkedBlockingQueue<>();
  private final BlockingQueue<Batch> toWrite = new ArrayBlockingQueue<>(1);
  private final BlockingQueue<Batch> completed = new LinkedBlockingQueue<>();
  private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
  private final Thread embedder;
  private final Thread writer;
  private volatile StoreException unavailable;
  private volatile boolean closing;
  private MemoryStore store; // writer thread only

  /**
   * @param connector opens the store and ensures the collection; called on the writer thread, again after a
   *                  transient failure so a restarted server gets a fresh connection
   */
  WritePipeline(String name, EmbeddingEngine engine, Supplier<MemoryStore> connector, RetryPolicy retry) {
    this.engine = engine;
    this.connector = connector;
    this.retry = retry;
    this.embedder = new Thread(() -> run(this::embedNext), "tier0-embed-" + name);
    this.writer = new Thread(() -> run(this::writeNext), "tier0-write-" + name);
    embedder.setDaemon(true);
    writer.setDaemon(true);
    embedder.start();
    writer.start();
  }

  void submit(Batch batch) {
    toEmbed.add(batch);
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

  /** The last transient failure, while a write keeps failing past its retries; null when the store answers. */
  StoreException unavailable() {
    return unavailable;
  }

  // ---- the two stages

  private void embedNext() throws InterruptedException {
    Batch batch = toEmbed.take();
    embed(batch);
    toWrite.put(batch);
  }

  private void writeNext() throws InterruptedException {
    Batch batch = toWrite.take();
    write(batch);
    completed.add(batch);
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
    }
  }

  @FunctionalInterface
  private interface Stage {
    void next() throws InterruptedException;
  }

  private void embed(Batch batch) {
    List<Entry.Write> writes = new ArrayList<>();
    for (Entry entry : batch.effectiveOperations()) {
      if (entry instanceof Entry.Write write) {
        writes.add(write);
      }
    }
    if (writes.isEmpty()) {
      batch.prepared(List.of());
      return;
    }
    List<String> texts = writes.stream().map(w -> w.memory().text()).toList();
    List<Embedding> embeddings;
    try {
      embeddings = engine.embedDocuments(texts);
    } catch (RuntimeException e) {
      embeddings = embedOneByOne(batch, writes, e);
    }
    List<Prepared> rows = new ArrayList<>(writes.size());
    for (int i = 0; i < writes.size(); i++) {
      if (embeddings.get(i) != null) {
        rows.add(new Prepared(writes.get(i), StoredMemories.of(writes.get(i), embeddings.get(i), engine.modelName())));
      }
    }
    batch.prepared(rows);
  }

  /** A batch the engine refused: find the texts at fault; if it refuses every one, the engine is what failed. */
  private List<Embedding> embedOneByOne(Batch batch, List<Entry.Write> writes, RuntimeException batchError) {
    List<Embedding> embeddings = new ArrayList<>(writes.size());
    int failed = 0;
    for (Entry.Write write : writes) {
      try {
        embeddings.add(engine.embedDocuments(List.of(write.memory().text())).get(0));
      } catch (RuntimeException e) {
        failed++;
        embeddings.add(null);
        batch.reject(write, "the model cannot embed this text: " + e.getMessage(), e);
      }
    }
    if (failed == writes.size() && writes.size() > 1) {
      throw new IllegalStateException("the embedding engine failed on every text of a batch", batchError);
    }
    return embeddings;
  }

  private void write(Batch batch) throws InterruptedException {
    List<String> deletes = batch.deletes();
    List<StoredMemory> upserts = batch.upserts();
    if (deletes.isEmpty() && upserts.isEmpty()) {
      return;
    }
    try {
      withRetries(s -> {
        if (!deletes.isEmpty()) {
          s.delete(deletes);
        }
        if (!upserts.isEmpty()) {
          s.upsert(upserts);
        }
      });
      SinkMetrics.INSTANCE.deleted.addAndGet(deletes.size());
      SinkMetrics.INSTANCE.stored.addAndGet(upserts.size());
    } catch (PermanentStoreException e) {
      if (e instanceof SchemaMismatchException) {
        throw e;
      }
      writeOneByOne(batch, e);
    }
  }

  /** A write the store refused as a whole: retry each operation alone so only the records at fault are rejected. */
  private void writeOneByOne(Batch batch, PermanentStoreException batchError) throws InterruptedException {
    Collection<Entry> operations = batch.effectiveOperations();
    int failed = 0;
    for (Entry entry : operations) {
      try {
        if (entry instanceof Entry.Remove remove) {
          withRetries(s -> s.delete(List.of(remove.id())));
          SinkMetrics.INSTANCE.deleted.incrementAndGet();
        } else if (entry instanceof Entry.Write write) {
          StoredMemory row = batch.rowOf(write);
          if (row != null) {
            withRetries(s -> s.upsert(List.of(row)));
            SinkMetrics.INSTANCE.stored.incrementAndGet();
          }
        }
      } catch (PermanentStoreException e) {
        if (e instanceof SchemaMismatchException) {
          throw e;
        }
        failed++;
        batch.reject(entry, "Milvus refused this record: " + e.getMessage(), e);
      }
    }
    if (failed == operations.size() && operations.size() > 1) {
      throw new IllegalStateException("Milvus refused every record of a batch", batchError);
    }
  }

  @FunctionalInterface
  private interface StoreCall {
    void apply(MemoryStore store);
  }

  /**
   * Runs the call until it succeeds or fails permanently. Transient failures are retried with backoff, without
   * limit: past the configured retries {@link #unavailable()} is set, and the task turns it into a
   * RetriableException while this keeps trying at the longest backoff.
   */
  private void withRetries(StoreCall call) throws InterruptedException {
    for (int retries = 0; ; retries++) {
      try {
        call.apply(store());
        if (unavailable != null) {
          LOG.info("Milvus answers again after {} retries", retries);
          unavailable = null;
        }
        return;
      } catch (TransientStoreException e) {
        SinkMetrics.INSTANCE.transientFailures.incrementAndGet();
        disconnect();
        Duration delay = retry.delayBefore(retries + 1);
        if (retries >= retry.maxRetries()) {
          if (unavailable == null) {
            LOG.warn("Milvus write still failing after {} retries; records are kept and retried every {} ms: {}",
                retries, delay.toMillis(), e.getMessage());
          }
          unavailable = e;
        } else {
          LOG.debug("transient Milvus failure (retry {} of {} in {} ms): {}", retries + 1, retry.maxRetries(),
              delay.toMillis(), e.getMessage());
        }
        TimeUnit.MILLISECONDS.sleep(delay.toMillis());
        if (closing) {
          throw new InterruptedException("closing");
        }
      }
    }
  }

  private MemoryStore store() {
    if (store == null) {
      store = connector.get();
    }
    return store;
  }

  /** After a transient failure the next attempt opens a fresh connection instead of waiting out gRPC's backoff. */
  private void disconnect() {
    if (store != null) {
      try {
        store.close();
      } catch (RuntimeException e) {
        LOG.debug("closing a failed Milvus connection", e);
      }
      store = null;
    }
  }

  /** Stops both threads; batches not yet written are dropped (their offsets were never committed). */
  @Override
  public void close() {
    closing = true;
    embedder.interrupt();
    writer.interrupt();
    try {
      embedder.join(CLOSE_TIMEOUT.toMillis());
      writer.join(CLOSE_TIMEOUT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (writer.isAlive()) {
      LOG.warn("{} did not stop within {}", writer.getName(), CLOSE_TIMEOUT);
    } else {
      disconnect();
    }
  }

  /** A write operation with its row, kept together so a refused row can be traced back to its record. */
  record Prepared(Entry.Write entry, StoredMemory row) {}
}
