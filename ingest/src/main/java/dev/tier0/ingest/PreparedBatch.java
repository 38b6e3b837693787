package dev.tier0.ingest;

import dev.tier0.milvus.StoredMemory;
import java.util.Arrays;
import java.util.List;

/**
 * A batch between {@link IngestWriter#prepare} and {@link IngestWriter#store}: the requests in their order, the
 * rows made for them, and each request's outcome so far (null while it waits to be written). Handed from one
 * thread to the next, never used by two at once.
 */
public final class PreparedBatch {
  private final List<WriteRequest> requests;
  private final Outcome[] outcomes;
  private final List<StoredMemory>[] rows;
  private long embedNanos;
  private long storeNanos;
  private int transientFailures;
  private int reused;

  PreparedBatch(List<WriteRequest> requests) {
    this.requests = List.copyOf(requests);
    this.outcomes = new Outcome[this.requests.size()];
    @SuppressWarnings("unchecked")
    List<StoredMemory>[] empty = new List[this.requests.size()];
    this.rows = empty;
  }

  /** The requests, in the order given to prepare. */
  public List<WriteRequest> requests() {
    return requests;
  }

  public int size() {
    return requests.size();
  }

  /**
   * One outcome per request, in order. Before {@link IngestWriter#store} has run, a request still to be written
   * reads as {@link Outcome.Unavailable} with a null cause.
   */
  public List<Outcome> outcomes() {
    return Arrays.stream(outcomes).map(o -> o == null ? (Outcome) new Outcome.Unavailable(null) : o).toList();
  }

  /** True when every request has a final outcome (none is waiting for the store). */
  public boolean settled() {
    return Arrays.stream(outcomes).allMatch(o -> o != null && o.settled());
  }

  /** Nanoseconds spent in the model for this batch. */
  public long embedNanos() {
    return embedNanos;
  }

  /** Nanoseconds spent in store calls for this batch, over every {@link IngestWriter#store} call so far. */
  public long storeNanos() {
    return storeNanos;
  }

  /**
   * Memories of this batch whose stored vectors were reused: the same text was stored before with the same model
   * and chunk settings (its fingerprint matched), so the model did not run for it.
   */
  public int reused() {
    return reused;
  }

  /** Store calls of this batch that failed transiently (each retry that was needed counts), over every call. */
  public int transientFailures() {
    return transientFailures;
  }

  // ---- for the writer

  Outcome outcome(int i) {
    return outcomes[i];
  }

  void settle(int i, Outcome outcome) {
    outcomes[i] = outcome;
  }

  /** Waits to be written: not yet tried, or tried while the store was unavailable. */
  boolean pending(int i) {
    return outcomes[i] == null || outcomes[i] instanceof Outcome.Unavailable;
  }

  /** The rows of request i: one per passage of its memory. */
  List<StoredMemory> rows(int i) {
    return rows[i];
  }

  void rows(int i, List<StoredMemory> memoryRows) {
    rows[i] = List.copyOf(memoryRows);
  }

  void addEmbedNanos(long nanos) {
    embedNanos += nanos;
  }

  void addReused(int memories) {
    reused += memories;
  }

  void transientFailure() {
    transientFailures++;
  }

  void addStoreNanos(long nanos) {
    storeNanos += nanos;
  }
}
