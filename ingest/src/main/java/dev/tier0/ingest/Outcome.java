package dev.tier0.ingest;

/**
 * What became of one {@link WriteRequest}. Stored, Deleted and Superseded are final and let the record's offset
 * be committed; Rejected is final too, and the record goes to the dead-letter queue with {@link Rejected#reason()};
 * Unavailable means "not written yet, retry later": the store did not answer. Abandoned means "not written, and
 * never will be by this writer": the runtime no longer owns the record (see {@link IngestWriter#store(PreparedBatch,
 * java.util.function.Predicate)}), so its offset must not be committed by it either.
 */
public sealed interface Outcome {
  /**
   * True when the writer has nothing more to do for the request (all but Unavailable). Every settled outcome but
   * Abandoned also lets the record's offset be committed.
   */
  default boolean settled() {
    return !(this instanceof Unavailable);
  }

  /** The memory is in the store (durably: the upsert call returned). */
  record Stored() implements Outcome {}

  /** The memory is gone from the store. */
  record Deleted() implements Outcome {}

  /**
   * A later request in the same batch is about the same id, and only the last one is applied: an upsert replaces
   * the whole row and a delete removes it, so the last operation equals all of them in order.
   */
  record Superseded() implements Outcome {}

  /** This record can never be stored as it is; {@code reason} names the limit (and its config key) or the fault. */
  record Rejected(String reason, Throwable cause) implements Outcome {}

  /** The store did not answer; the request is unchanged and may be written again later. */
  record Unavailable(Throwable cause) implements Outcome {}

  /**
   * The runtime stopped owning the record's partition (a Kafka rebalance or a stopping task) before it was
   * written, so it was not: its new owner reads it again from the last committed offset and writes it. Writing it
   * anyway could land an older version over a newer one the new owner already wrote.
   */
  record Abandoned() implements Outcome {}

  Stored STORED = new Stored();
  Deleted DELETED = new Deleted();
  Superseded SUPERSEDED = new Superseded();
  Abandoned ABANDONED = new Abandoned();
}
