package dev.tier0.ingest;

import dev.tier0.memory.Memory;
import dev.tier0.milvus.CollectionSpec;
import dev.tier0.milvus.PermanentStoreException;
import dev.tier0.milvus.SchemaMismatchException;
import dev.tier0.milvus.StoredMemory;
import dev.tier0.milvus.TransientStoreException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one ingest writer both runtimes use: it checks, embeds and stores a batch of {@link WriteRequest}s and
 * gives each its {@link Outcome}. A record's own fault (what it holds, what the model or the store make of it)
 * rejects that record alone and its neighbours are stored; only a failure of the system throws
 * ({@link WriterFailedException}, or an Error such as OutOfMemoryError). The table in ingest/README.md lists
 * every case.
 *
 * <p>Two phases, so the connector can embed batch n+1 while batch n is written: {@link #prepare} (checks and the
 * model, no store call) and {@link #store} (the store, with retries; called again for what came back
 * Unavailable). {@link #write} does both. Not thread-safe per batch; one writer may serve many threads.
 */
public final class IngestWriter {
  private static final Logger LOG = LoggerFactory.getLogger(IngestWriter.class);

  private final Embedder embedder;
  private final VectorStore store;
  private final WriteLimits limits;
  private final RetryPolicy retry;

  /**
   * @param embedder the model: documents are embedded through it
   * @param store    where rows go; its failures are typed (transient or permanent)
   * @param limits   the pre-write checks' limits
   * @param retry    retries of a store call that failed transiently before its requests come back Unavailable
   */
  public IngestWriter(Embedder embedder, VectorStore store, WriteLimits limits, RetryPolicy retry) {
    this.embedder = embedder;
    this.store = store;
    this.limits = limits;
    this.retry = retry;
  }

  /** Prepares and stores a batch: one outcome per request, in order. */
  public List<Outcome> write(List<WriteRequest> requests) throws InterruptedException {
    PreparedBatch batch = prepare(requests);
    store(batch);
    return batch.outcomes();
  }

  // ---- phase 1: checks, the model, rows

  /**
   * Checks each request, embeds the texts of those that pass and makes their rows. Touches no store.
   *
   * @throws WriterFailedException when the model fails on every text of a batch of more than one
   */
  public PreparedBatch prepare(List<WriteRequest> requests) {
    PreparedBatch batch = new PreparedBatch(requests);
    Map<String, Integer> last = new HashMap<>();
    for (int i = 0; i < batch.size(); i++) {
      last.put(requests.get(i).id(), i);
    }
    List<Integer> toEmbed = new ArrayList<>();
    List<Map<String, Object>> metadata = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      WriteRequest request = requests.get(i);
      if (last.get(request.id()) != i) {
        batch.settle(i, Outcome.SUPERSEDED);
      } else if (request instanceof WriteRequest.Upsert upsert) {
        try {
          Map<String, Object> clean = checked(upsert.memory());
          toEmbed.add(i);
          metadata.add(clean);
        } catch (Refused e) {
          batch.settle(i, new Outcome.Rejected(e.getMessage(), null));
        }
      }
    }
    if (toEmbed.isEmpty()) {
      return batch;
    }
    long start = System.nanoTime();
    List<float[]> vectors = embed(batch, toEmbed);
    batch.addEmbedNanos(System.nanoTime() - start);
    for (int k = 0; k < toEmbed.size(); k++) {
      int i = toEmbed.get(k);
      float[] vector = vectors.get(k);
      if (vector == null) {
        continue; // rejected by embed()
      }
      String fault = vectorFault(vector);
      if (fault != null) {
        batch.settle(i, new Outcome.Rejected(fault, null));
        continue;
      }
      // One row per memory today. Chunking (long memories) goes here: a memory becomes the rows of its chunks,
      // all under its id, and its outcome is Stored only when every chunk row is.
      WriteRequest.Upsert upsert = (WriteRequest.Upsert) requests.get(i);
      Memory m = upsert.memory();
      Source s = upsert.source();
      batch.row(i, new StoredMemory(m.id(), m.tenant(), vector, m.text(), metadata.get(k), s.topic(),
          s.partition(), s.offset(), s.timestamp(), embedder.modelName()));
    }
    return batch;
  }

  /**
   * The pre-write checks alone, for a runtime that refuses a record before it parks it (the streams app, while
   * it still holds the record as read). {@link #prepare} runs them again.
   *
   * @return the rejection, or null when the request passes (deletes always do)
   */
  public Outcome.Rejected check(WriteRequest request) {
    if (request instanceof WriteRequest.Upsert upsert) {
      try {
        checked(upsert.memory());
      } catch (Refused e) {
        return new Outcome.Rejected(e.getMessage(), null);
      }
    }
    return null;
  }

  /** The checks made before the model and the store see a memory; returns its metadata as it will be stored. */
  private Map<String, Object> checked(Memory memory) throws Refused {
    if (memory.text().isBlank()) {
      throw new Refused("text is empty or whitespace only: nothing to embed");
    }
    capped("text", memory.text(), CollectionSpec.TEXT_MAX_LENGTH, "record.text.max.bytes");
    capped("id", memory.id(), CollectionSpec.ID_MAX_LENGTH, "record.id.max.bytes");
    capped("tenant", memory.tenant(), CollectionSpec.TENANT_MAX_LENGTH, "record.tenant.field");
    return Metadata.prepare(memory.metadata(), limits);
  }

  private static void capped(String what, String value, int maxBytes, String key) throws Refused {
    int bytes = value.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > maxBytes) {
      throw new Refused(what + " is " + bytes + " bytes in UTF-8, over the collection's limit of "
          + maxBytes + " (" + key + ")");
    }
  }

  /** A vector the store must not get, or null when it is fine. */
  private String vectorFault(float[] vector) {
    if (vector.length != embedder.dimension()) {
      return "the model returned a vector of " + vector.length + " components, the collection holds "
          + embedder.dimension() + " (model.dir, milvus.collection)";
    }
    for (float f : vector) {
      if (!Float.isFinite(f)) {
        return "the model returned a non-finite vector (NaN or Infinity; an FP16 overflow makes them) for this text";
      }
    }
    return null;
  }

  /** One model call for the batch; if it fails, each text alone, so only the texts at fault are rejected. */
  private List<float[]> embed(PreparedBatch batch, List<Integer> indices) {
    List<String> texts = new ArrayList<>(indices.size());
    for (int i : indices) {
      texts.add(((WriteRequest.Upsert) batch.requests().get(i)).memory().text());
    }
    try {
      List<float[]> vectors = embedder.embedDocuments(texts);
      if (vectors.size() == texts.size()) {
        return vectors;
      }
      throw new IllegalStateException("the model returned " + vectors.size() + " vectors for " + texts.size()
          + " texts");
    } catch (RuntimeException batchFailure) {
      LOG.debug("embedding a batch of {} texts failed; embedding them one by one", texts.size(), batchFailure);
      List<float[]> vectors = new ArrayList<>(texts.size());
      int failed = 0;
      for (int k = 0; k < texts.size(); k++) {
        try {
          vectors.add(embedder.embedDocuments(List.of(texts.get(k))).get(0));
        } catch (RuntimeException e) {
          failed++;
          vectors.add(null);
          batch.settle(indices.get(k), new Outcome.Rejected("the model cannot embed this text: " + describe(e), e));
        }
      }
      if (failed == texts.size() && texts.size() > 1) {
        throw new WriterFailedException("the model failed on every text of a batch of " + texts.size(),
            batchFailure);
      }
      return vectors;
    }
  }

  // ---- phase 2: the store

  /**
   * Writes every request of the batch that is not settled yet: deletes, then upserts (the batch holds one
   * operation per id, so their order does not matter). A call the store refuses is split in halves until the rows
   * at fault are alone; they are rejected and the rest stored. A transient failure while the store answers a
   * that the server answered with a retriable error code is treated the same way (Milvus Lite answers a row it
   * cannot decode with "not ready"), a lone row being rejected only after its retries and if the store still
   * answers a probe. A failure that did not reach the server, or that it refused for load (rate, memory, quota
   * limits), is an outage: retried per the policy, then what is left comes back Unavailable, and
   * calling this again retries it.
   *
   * @throws WriterFailedException the store refused every row of a batch of more than one, or the collection does
   *                               not match the schema
   * @throws InterruptedException  while waiting between retries
   */
  public void store(PreparedBatch batch) throws InterruptedException {
    List<Integer> deletes = new ArrayList<>();
    List<Integer> upserts = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      if (!batch.pending(i)) {
        continue;
      }
      if (batch.requests().get(i) instanceof WriteRequest.Delete) {
        deletes.add(i);
      } else {
        upserts.add(i);
      }
    }
    if (deletes.isEmpty() && upserts.isEmpty()) {
      return;
    }
    long start = System.nanoTime();
    Attempt attempt = new Attempt(batch, deletes.size() + upserts.size());
    try {
      if (!deletes.isEmpty()) {
        attempt.apart(deletes, true);
      }
      if (!upserts.isEmpty()) {
        attempt.apart(upserts, false);
      }
    } finally {
      batch.addStoreNanos(System.nanoTime() - start);
    }
    if (attempt.refused == attempt.attempted && attempt.attempted > 1) {
      throw new WriterFailedException("Milvus refused every row of a batch of " + attempt.attempted
          + ": the store, not the records, is at fault: " + attempt.firstRefusal.getMessage(), attempt.firstRefusal);
    }
  }

  /** One store() call's state: how many rows it tried and how many the store refused, and whether it is down. */
  private final class Attempt {
    final PreparedBatch batch;
    final int attempted;
    int refused;
    RuntimeException firstRefusal;
    TransientStoreException outage;

    Attempt(PreparedBatch batch, int attempted) {
      this.batch = batch;
      this.attempted = attempted;
    }

    void apart(List<Integer> indices, boolean deletes) throws InterruptedException {
      if (outage != null) {
        indices.forEach(i -> batch.settle(i, new Outcome.Unavailable(outage)));
        return;
      }
      try {
        withRetries(indices, deletes);
        Outcome done = deletes ? Outcome.DELETED : Outcome.STORED;
        indices.forEach(i -> batch.settle(i, done));
        return;
      } catch (SchemaMismatchException e) {
        throw new WriterFailedException(e.getMessage(), e);
      } catch (PermanentStoreException e) {
        if (indices.size() == 1) {
          if (!store.answers()) {
            // refusing even a probe (permission denied, collection gone): the store is broken, not this record
            throw new WriterFailedException("Milvus refuses every call: " + describe(e), e);
          }
          refuse(indices.get(0), "Milvus refused this record: " + describe(e), e);
          return;
        }
      } catch (TransientStoreException e) {
        if (e.kind() != TransientStoreException.Kind.SERVER_ERROR || !store.answers()) {
          outage = e;
          LOG.debug("Milvus is unavailable; {} records wait: {}", indices.size(), e.getMessage());
          indices.forEach(i -> batch.settle(i, new Outcome.Unavailable(e)));
          return;
        }
        if (indices.size() == 1) {
          refuse(indices.get(0), "Milvus fails on this record alone while it answers (after " + retry.maxRetries()
              + " retries): " + describe(e), e);
          return;
        }
        LOG.debug("Milvus answers but a write of {} rows failed; writing them apart", indices.size(), e);
      }
      int half = indices.size() / 2;
      apart(new ArrayList<>(indices.subList(0, half)), deletes);
      apart(new ArrayList<>(indices.subList(half, indices.size())), deletes);
    }

    private void refuse(int i, String reason, RuntimeException e) {
      refused++;
      if (firstRefusal == null) {
        firstRefusal = e;
      }
      batch.settle(i, new Outcome.Rejected(reason, e));
    }

    /**
     * One store call, retried with backoff while it fails transiently. A call of several rows that the server
     * answered with an error code is handed back at once: splitting finds a bad row faster than waiting would.
     * One that did not reach the server, or that the server refused for load, is an outage: it is retried.
     */
    private void withRetries(List<Integer> indices, boolean deletes) throws InterruptedException {
      for (int attempt = 0; ; attempt++) {
        try {
          if (deletes) {
            store.delete(indices.stream().map(i -> batch.requests().get(i).id()).toList());
          } else {
            store.upsert(indices.stream().map(batch::row).toList());
          }
          if (attempt > 0) {
            LOG.info("Milvus answers again after {} retries", attempt);
          }
          return;
        } catch (TransientStoreException e) {
          batch.transientFailure();
          if (attempt >= retry.maxRetries()
              || (indices.size() > 1 && e.kind() == TransientStoreException.Kind.SERVER_ERROR)) {
            throw e;
          }
          Duration delay = retry.delayBefore(attempt + 1);
          LOG.debug("transient Milvus failure (retry {} of {} in {} ms): {}", attempt + 1, retry.maxRetries(),
              delay.toMillis(), e.getMessage());
          TimeUnit.MILLISECONDS.sleep(delay.toMillis());
        }
      }
    }
  }

  private static String describe(Throwable e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
