package dev.tier0.ingest;

import dev.tier0.embed.Passage;
import dev.tier0.embed.TextSpan;
import dev.tier0.memory.Memory;
import dev.tier0.milvus.Chunk;
import dev.tier0.milvus.CollectionSpec;
import dev.tier0.milvus.PermanentStoreException;
import dev.tier0.milvus.SchemaMismatchException;
import dev.tier0.milvus.StoredChunk;
import dev.tier0.milvus.StoredMemory;
import dev.tier0.milvus.TransientStoreException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
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
 * model; its one store call reads stored fingerprints, it writes nothing) and {@link #store} (the store, with
 * retries; called again for what came back Unavailable). {@link #write} does both. {@link #prepare} is itself
 * {@link #plan} (checks, passages, the stored fingerprints read) then {@link #embed} (the model, rows), for a
 * runtime that plans the next batch while the model runs. Not thread-safe per batch; one writer may serve many
 * threads.
 */
public final class IngestWriter {
  private static final Logger LOG = LoggerFactory.getLogger(IngestWriter.class);

  private final Embedder embedder;
  private final VectorStore store;
  private final WriteLimits limits;
  private final RetryPolicy retry;
  private final ChunkSettings chunking;

  /** A writer with the default chunk settings (passages of the model's max_length). */
  public IngestWriter(Embedder embedder, VectorStore store, WriteLimits limits, RetryPolicy retry) {
    this(embedder, store, limits, retry, ChunkSettings.defaults());
  }

  /**
   * @param embedder the model: documents are embedded through it
   * @param store    where rows go; its failures are typed (transient or permanent)
   * @param limits   the pre-write checks' limits
   * @param retry    retries of a store call that failed transiently before its requests come back Unavailable
   * @param chunking how memories are cut into passages (chunk.* keys)
   */
  public IngestWriter(Embedder embedder, VectorStore store, WriteLimits limits, RetryPolicy retry,
      ChunkSettings chunking) {
    this.embedder = embedder;
    this.store = store;
    this.limits = limits;
    this.retry = retry;
    this.chunking = chunking;
  }

  /** Prepares and stores a batch: one outcome per request, in order. */
  public List<Outcome> write(List<WriteRequest> requests) throws InterruptedException {
    PreparedBatch batch = prepare(requests);
    store(batch);
    return batch.outcomes();
  }

  // ---- phase 1: checks, the model, rows

  /**
   * Checks each request, cuts the texts of those that pass into passages, embeds them and makes their rows. Its
   * one store call is a read: the stored fingerprints of the batch's memories, so a text stored before with the same
   * model and chunk settings keeps its vectors instead of running the model again (a replay costs no embedding).
   * A failed read only means everything is embedded; nothing is written here. The same as {@link #embed} of
   * {@link #plan}.
   *
   * @throws WriterFailedException when the model fails on every text of a batch of more than one
   */
  public PreparedBatch prepare(List<WriteRequest> requests) {
    return embed(plan(requests));
  }

  /**
   * {@link #prepare} with texts cut ahead: {@code cut.get(i)} is {@link #cut} of request i's text by this writer, or
   * null where it was not cut (it is cut here).
   *
   * @throws IllegalArgumentException when {@code cut} is not one entry per request
   */
  public PreparedBatch prepare(List<WriteRequest> requests, List<List<Passage>> cut) {
    return embed(plan(requests, cut));
  }

  /**
   * A text's passages as this writer's {@link #plan} cuts them (its chunk settings, before chunk.max.per.memory is
   * applied), for a runtime that cuts while it collects a batch, where a pass of the tokenizer is needed anyway (to
   * count the batch's tokens), and hands them to {@link #plan(List, List)}: then the text is tokenised once. Passages
   * from the engine carry the ids the model reads ({@link Passage#tokenCount()}).
   *
   * @return the passages, or null when the tokenizer cannot cut the text ({@link #plan} refuses it, with the reason)
   */
  public List<Passage> cut(String text) {
    try {
      return passages(text);
    } catch (Refused e) {
      return null;
    }
  }

  /**
   * The part of {@link #prepare} before the model: the checks, the passages, the stored fingerprints read. A
   * runtime may plan batch n+1 on one thread while {@link #embed} runs the model on batch n on another, so the
   * model does not wait for the cutting and the read.
   */
  public Plan plan(List<WriteRequest> requests) {
    return plan(requests, Collections.nCopies(requests.size(), null));
  }

  /**
   * {@link #plan} with texts cut ahead, as {@link #prepare(List, List)}.
   *
   * @throws IllegalArgumentException when {@code cut} is not one entry per request
   */
  public Plan plan(List<WriteRequest> requests, List<List<Passage>> cut) {
    if (cut.size() != requests.size()) {
      throw new IllegalArgumentException(cut.size() + " cut texts for " + requests.size() + " requests");
    }
    PreparedBatch batch = new PreparedBatch(requests);
    Map<String, Integer> last = new HashMap<>();
    for (int i = 0; i < batch.size(); i++) {
      last.put(requests.get(i).id(), i);
    }
    List<Planned> planned = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      WriteRequest request = requests.get(i);
      if (last.get(request.id()) != i) {
        batch.settle(i, Outcome.SUPERSEDED);
      } else if (request instanceof WriteRequest.Upsert upsert) {
        try {
          Map<String, Object> clean = checked(upsert.memory());
          planned.add(plan(i, upsert.id(), upsert.memory().text(), clean, cut.get(i)));
        } catch (Refused e) {
          batch.settle(i, new Outcome.Rejected(e.getMessage(), null));
        }
      }
    }
    // a memory stored before with the same text and settings (a replay) keeps its vectors: no model run
    return new Plan(batch, planned, planned.isEmpty() ? List.of() : reusable(planned));
  }

  /**
   * A batch between {@link #plan} and {@link #embed}: its memories' passages and the vectors already stored for
   * them. Handed from one thread to the next, never used by two at once.
   */
  public static final class Plan {
    private final PreparedBatch batch;
    private final List<Planned> planned;
    private final List<List<float[]>> vectors; // per planned memory: stored vectors to reuse, or null

    private Plan(PreparedBatch batch, List<Planned> planned, List<List<float[]>> vectors) {
      this.batch = batch;
      this.planned = planned;
      this.vectors = vectors;
    }
  }

  /**
   * The part of {@link #prepare} from the model on: embeds the passages of every memory the plan could not reuse
   * and makes the rows. No store call.
   *
   * @throws WriterFailedException when the model fails on every text of a batch of more than one
   */
  public PreparedBatch embed(Plan plan) {
    PreparedBatch batch = plan.batch;
    List<Planned> planned = plan.planned;
    if (planned.isEmpty()) {
      return batch;
    }
    List<WriteRequest> requests = batch.requests();
    // every passage of every memory in one model call: the engine batches them by length under its token budget,
    // so a long memory costs what its tokens cost, never one model run per memory
    List<List<float[]>> vectors = new ArrayList<>(plan.vectors);
    List<Planned> toEmbed = new ArrayList<>();
    for (int k = 0; k < planned.size(); k++) {
      if (vectors.get(k) == null) {
        toEmbed.add(planned.get(k));
      }
    }
    batch.addReused(planned.size() - toEmbed.size());
    if (!toEmbed.isEmpty()) {
      long start = System.nanoTime();
      List<List<float[]>> embedded = runModel(batch, toEmbed);
      batch.addEmbedNanos(System.nanoTime() - start);
      for (int k = 0, e = 0; k < planned.size(); k++) {
        if (vectors.get(k) == null) {
          vectors.set(k, embedded.get(e++));
        }
      }
    }
    for (int k = 0; k < planned.size(); k++) {
      Planned p = planned.get(k);
      List<float[]> memoryVectors = vectors.get(k);
      if (memoryVectors == null) {
        continue; // rejected by runModel()
      }
      String fault = null;
      for (float[] vector : memoryVectors) {
        fault = fault == null ? vectorFault(vector) : fault;
      }
      if (fault != null) {
        batch.settle(p.request, new Outcome.Rejected(fault, null));
        continue;
      }
      batch.rows(p.request, rows((WriteRequest.Upsert) requests.get(p.request), p, memoryVectors));
    }
    return batch;
  }

  /** One memory's passages, before the model: which request, its metadata, the spans, whether it was cut short. */
  private record Planned(int request, Map<String, Object> metadata, List<Passage> passages, boolean truncated,
                         String memoryId, String fingerprint) {
  }

  /**
   * Per planned memory, the vectors already stored for exactly these passages, or null: reused only when chunk 0
   * is stored with this fingerprint (text, model and chunk settings), the same count and truncation, and every
   * other passage 0..n-1 is stored with them too, so a half-written earlier version is embedded again. Two reads
   * by primary key: every memory's chunk 0, then the other passages of the memories whose chunk 0 matches (no
   * scalar filter: Milvus Lite scans for those). The read is an optimisation: when the store cannot answer it,
   * everything is embedded.
   */
  private List<List<float[]>> reusable(List<Planned> planned) {
    List<List<float[]>> out = new ArrayList<>(Collections.nCopies(planned.size(), null));
    try {
      Map<String, StoredChunk> heads = new HashMap<>();
      for (StoredChunk c : store.storedRows(planned.stream().map(p -> Chunk.rowId(p.memoryId, 0)).distinct()
          .toList())) {
        heads.put(c.memoryId(), c);
      }
      List<Integer> matching = new ArrayList<>();
      List<String> rest = new ArrayList<>();
      for (int k = 0; k < planned.size(); k++) {
        Planned p = planned.get(k);
        StoredChunk head = heads.get(p.memoryId);
        if (head != null && head.index() == 0 && matches(p, head)) {
          matching.add(k);
          for (int c = 1; c < p.passages.size(); c++) {
            rest.add(Chunk.rowId(p.memoryId, c));
          }
        }
      }
      if (matching.isEmpty()) {
        return out;
      }
      Map<String, StoredChunk> others = new HashMap<>();
      if (!rest.isEmpty()) {
        for (StoredChunk c : store.storedRows(rest)) {
          others.put(Chunk.rowId(c.memoryId(), c.index()), c);
        }
      }
      for (int k : matching) {
        Planned p = planned.get(k);
        int n = p.passages.size();
        float[][] vectors = new float[n][];
        vectors[0] = heads.get(p.memoryId).vector();
        boolean all = true;
        for (int c = 1; c < n && all; c++) {
          StoredChunk stored = others.get(Chunk.rowId(p.memoryId, c));
          all = stored != null && matches(p, stored);
          vectors[c] = all ? stored.vector() : null;
        }
        if (all) {
          out.set(k, List.of(vectors));
        }
      }
    } catch (RuntimeException e) {
      LOG.debug("cannot read stored fingerprints; embedding every memory of the batch", e);
      return new ArrayList<>(Collections.nCopies(planned.size(), null));
    }
    return out;
  }

  /** Whether a stored passage was made from this memory's text and settings, and its vector can be reused. */
  private boolean matches(Planned p, StoredChunk c) {
    return p.fingerprint.equals(c.fingerprint()) && c.count() == p.passages.size() && c.truncated() == p.truncated
        && c.vector() != null && c.vector().length == embedder.dimension();
  }

  /**
   * Cuts a memory into passages (or takes {@code cut}, its passages cut ahead; null: cut here); past
   * chunk.max.per.memory it is truncated and marked, or refused.
   */
  private Planned plan(int request, String memoryId, String text, Map<String, Object> metadata, List<Passage> cut)
      throws Refused {
    List<Passage> passages = cut == null ? passages(text) : cut;
    boolean truncated = false;
    if (passages.size() > chunking.maxPerMemory()) {
      if (chunking.overflow() == ChunkSettings.Overflow.REJECT) {
        throw new Refused("the text needs " + passages.size() + " passages, over the limit of "
            + chunking.maxPerMemory() + " (chunk.max.per.memory; chunk.overflow=reject; chunk.overflow=truncate "
            + "would keep the first passages and mark the memory truncated)");
      }
      passages = passages.subList(0, chunking.maxPerMemory());
      truncated = true;
    }
    return new Planned(request, metadata, List.copyOf(passages), truncated, memoryId, fingerprint(text));
  }

  /** The text's passages by this writer's chunk settings; refused when the tokenizer cannot cut it. */
  private List<Passage> passages(String text) throws Refused {
    try {
      return embedder.passages(text, chunking.maxTokens(), chunking.overlapTokens());
    } catch (RuntimeException e) {
      throw new Refused("the tokenizer cannot cut this text into passages: " + describe(e));
    }
  }

  /** The rows of one memory: one per passage, under deterministic ids; the whole text kept once, on chunk 0. */
  private List<StoredMemory> rows(WriteRequest.Upsert upsert, Planned p, List<float[]> vectors) {
    Memory m = upsert.memory();
    Source s = upsert.source();
    int count = p.passages.size();
    List<StoredMemory> out = new ArrayList<>(count);
    for (int c = 0; c < count; c++) {
      Passage passage = p.passages.get(c);
      TextSpan span = passage.span();
      String whole = c == 0 && count > 1 ? m.text() : "";
      Chunk chunk = new Chunk(m.id(), c, count, span.start(), span.end(), whole, p.truncated, p.fingerprint);
      out.add(new StoredMemory(Chunk.rowId(m.id(), c), m.tenant(), vectors.get(c), passage.text(), p.metadata,
          s.topic(), s.partition(), s.offset(), s.timestamp(), embedder.modelName(), chunk));
    }
    return out;
  }

  /**
   * Hex SHA-256 of what decides a memory's rows: the model settings, the chunk settings and the text. Equal
   * fingerprints mean re-embedding would give the same rows.
   */
  String fingerprint(String text) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update((embedder.settingsFingerprint() + "\u0000" + chunking.fingerprintBasis() + "\u0000")
          .getBytes(StandardCharsets.UTF_8));
      sha.update(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
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

  /**
   * One model call for every passage of the batch; if it fails, one call per memory, so only the memories at fault
   * are rejected.
   *
   * @return per planned memory its passages' vectors, or null when the memory was rejected
   */
  private List<List<float[]>> runModel(PreparedBatch batch, List<Planned> planned) {
    List<Passage> texts = new ArrayList<>();
    for (Planned p : planned) {
      texts.addAll(p.passages);
    }
    try {
      List<float[]> vectors = embedder.embedPassages(texts);
      if (vectors.size() != texts.size()) {
        throw new IllegalStateException("the model returned " + vectors.size() + " vectors for " + texts.size()
            + " texts");
      }
      List<List<float[]>> out = new ArrayList<>(planned.size());
      int from = 0;
      for (Planned p : planned) {
        out.add(vectors.subList(from, from + p.passages.size()));
        from += p.passages.size();
      }
      return out;
    } catch (RuntimeException batchFailure) {
      LOG.debug("embedding a batch of {} passages failed; embedding memory by memory", texts.size(), batchFailure);
      List<List<float[]>> out = new ArrayList<>(planned.size());
      int failed = 0;
      for (Planned p : planned) {
        try {
          List<float[]> vectors = embedder.embedPassages(p.passages);
          if (vectors.size() != p.passages.size()) {
            throw new IllegalStateException("the model returned " + vectors.size() + " vectors for "
                + p.passages.size() + " texts");
          }
          out.add(vectors);
        } catch (RuntimeException e) {
          failed++;
          out.add(null);
          batch.settle(p.request, new Outcome.Rejected("the model cannot embed this text: " + describe(e), e));
        }
      }
      if (failed == planned.size() && planned.size() > 1) {
        throw new WriterFailedException("the model failed on every text of a batch of " + planned.size(),
            batchFailure);
      }
      return out;
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
    store(batch, request -> true);
  }

  /**
   * {@link #store(PreparedBatch)} for a runtime that can lose a record's partition while the batch is being
   * written (a Kafka Connect task whose partitions are revoked, or that is stopped and then abandoned by its
   * worker). {@code owned} is asked before every store call, retries included; a request it no longer owns is
   * settled {@link Outcome.Abandoned} and never sent. Without this a write still retrying through an outage
   * could land after the partition's new owner wrote a newer version of the same memory. A call already sent
   * when ownership ends is not recalled: that window is one store call long.
   *
   * @param owned whether the caller still owns a request's record; called from this (the writing) thread
   */
  public void store(PreparedBatch batch, Predicate<WriteRequest> owned) throws InterruptedException {
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
    Attempt attempt = new Attempt(batch, deletes.size() + upserts.size(), owned);
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
    final Predicate<WriteRequest> owned;
    int refused;
    RuntimeException firstRefusal;
    TransientStoreException outage;

    Attempt(PreparedBatch batch, int attempted, Predicate<WriteRequest> owned) {
      this.batch = batch;
      this.attempted = attempted;
      this.owned = owned;
    }

    /**
     * Settles the requests the caller no longer owns as Abandoned and removes them from {@code indices} (which
     * the caller then settles as a whole); true when none is left to send.
     */
    private boolean abandonUnowned(List<Integer> indices) {
      indices.removeIf(i -> {
        if (owned.test(batch.requests().get(i))) {
          return false;
        }
        batch.settle(i, Outcome.ABANDONED);
        return true;
      });
      return indices.isEmpty();
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
     * Before every call, requests the caller no longer owns are settled Abandoned and removed from {@code indices}.
     */
    private void withRetries(List<Integer> indices, boolean deletes) throws InterruptedException {
      for (int attempt = 0; ; attempt++) {
        if (abandonUnowned(indices)) {
          return;
        }
        try {
          if (deletes) {
            deleteMemories(indices.stream().map(i -> batch.requests().get(i).id()).toList());
          } else {
            upsertMemories(indices.stream().map(batch::rows).toList());
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

  /**
   * The stored chunk count of each memory, read from its chunk 0 by primary key; a memory without chunk 0 is
   * left out.
   */
  private Map<String, Integer> storedCounts(List<String> memoryIds) {
    Map<String, Integer> counts = new HashMap<>();
    for (StoredChunk c : store.storedRows(memoryIds.stream().map(id -> Chunk.rowId(id, 0)).toList())) {
      if (c.index() == 0 && c.count() > 0) {
        counts.put(c.memoryId(), c.count());
      }
    }
    return counts;
  }

  /**
   * Writes memories' new rows and removes the passages a longer earlier version left (ids {@code m#n ..
   * m#(stored-1)}, from the count on the stored chunk 0), all by primary key. New passages go first and chunk 0
   * of a memory that shrinks goes last, after the stale delete: chunk 0 holds the count the stale ids are
   * computed from, so until the delete is done it still names them, and a crash anywhere in between leaves a
   * memory that has rows (chunk 0 is never deleted here) and whose replay finds and removes the stale ones. A
   * memory that keeps or grows its count, or has no chunk 0 stored (a new one), is one upsert.
   *
   * @param rows per memory its new rows, chunk 0 first
   */
  private void upsertMemories(List<List<StoredMemory>> rows) {
    Map<String, Integer> stored = storedCounts(rows.stream().map(r -> r.get(0).chunk().memoryId()).toList());
    List<StoredMemory> first = new ArrayList<>();
    List<StoredMemory> lastHeads = new ArrayList<>();
    List<String> stale = new ArrayList<>();
    for (List<StoredMemory> memory : rows) {
      String id = memory.get(0).chunk().memoryId();
      int n = memory.size();
      int old = stored.getOrDefault(id, 0);
      if (old > n) {
        first.addAll(memory.subList(1, n));
        lastHeads.add(memory.get(0));
        for (int c = n; c < old; c++) {
          stale.add(Chunk.rowId(id, c));
        }
      } else {
        first.addAll(memory);
      }
    }
    if (!first.isEmpty()) {
      store.upsert(first);
    }
    if (!stale.isEmpty()) {
      store.delete(stale);
      store.upsert(lastHeads);
    }
  }

  /**
   * Removes every row of these memories by primary key: {@code m#0 .. m#(count-1)} from the count on the stored
   * chunk 0, chunk 0 last (in the last requests), so a crash part way leaves chunk 0 naming the rest for the
   * replay. A memory without chunk 0 falls back to the scalar filter {@code memory_id in [...]}, which Milvus Lite
   * answers by a scan: it is usually a memory never stored or deleted already (a replayed tombstone), but rows
   * without chunk 0 can also be left by a writer before this ordering or by hand, and a tombstone must not leave
   * them searchable.
   */
  private void deleteMemories(List<String> memoryIds) {
    Map<String, Integer> stored = storedCounts(memoryIds);
    List<String> ids = new ArrayList<>();
    List<String> heads = new ArrayList<>();
    List<String> unnamed = new ArrayList<>();
    for (String id : memoryIds) {
      Integer count = stored.get(id);
      if (count == null) {
        unnamed.add(id);
        continue;
      }
      for (int c = 1; c < count; c++) {
        ids.add(Chunk.rowId(id, c));
      }
      heads.add(Chunk.rowId(id, 0));
    }
    ids.addAll(heads);
    if (!ids.isEmpty()) {
      store.delete(ids);
    }
    if (!unnamed.isEmpty()) {
      store.deleteMemories(unnamed);
    }
  }

  private static String describe(Throwable e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
