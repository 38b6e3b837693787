package dev.tier0.streams;

import dev.tier0.ingest.ForwardingStore;
import dev.tier0.ingest.VectorStore;
import dev.tier0.milvus.StoredMemory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A fault injector, not a mock: the real Milvus store, whose upserts wait at a gate once {@link #arm()}ed, until
 * {@link #release()}. Reads and deletes pass straight through. Used to hold an ingest flush in the middle of its
 * Milvus write (as a slow or large batch does) while a test checks what else still runs.
 */
final class HeldWrites extends ForwardingStore {
  private final CountDownLatch entered = new CountDownLatch(1);
  private final CountDownLatch gate = new CountDownLatch(1);
  private volatile boolean armed;

  HeldWrites(VectorStore store) {
    super(store);
  }

  /** From now on, upserts wait for {@link #release()}. */
  void arm() {
    armed = true;
  }

  /** Lets every held upsert (and every later one) through. */
  void release() {
    gate.countDown();
  }

  /** Whether an upsert is waiting at the gate (or has waited there), within the timeout. */
  boolean awaitHeld(Duration timeout) throws InterruptedException {
    return entered.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Whether the gate is still closed: an upsert that reached it has not been written. */
  boolean holding() {
    return gate.getCount() > 0;
  }

  @Override
  public void upsert(List<StoredMemory> rows) {
    if (armed) {
      entered.countDown();
      try {
        gate.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted at the write gate", e);
      }
    }
    delegate.upsert(rows);
  }
}
