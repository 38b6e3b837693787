package dev.tier0.streams.search;

import dev.tier0.ingest.VectorStore;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a search should go to the store now. Once a search finds the store unreachable, the gate closes: searches
 * are answered STORE_UNAVAILABLE (retriable) at once, without a try, while a background thread asks the store
 * ({@link VectorStore#answers()}) every {@code probeInterval} and opens the gate when it answers. A try against a
 * store that is down costs the stream thread up to milvus.connect.timeout.ms (10 s by default), and waits for the
 * connection that ingest's retries are re-opening on the same client: measured ~20 s per request during a Milvus
 * outage, one request after the other (SearchBesideIngestIT). One gate per search task; {@link #close()} stops its
 * thread.
 */
public final class StoreGate implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StoreGate.class);

  private final VectorStore store;
  private final Duration probeInterval;
  private final String name;
  /** Why the store is believed down; null while the gate is open. */
  private final AtomicReference<String> down = new AtomicReference<>();
  private Thread prober; // guarded by this
  private volatile boolean closed;

  /**
   * @param store         the store searches go to; only its {@code answers()} is called here
   * @param probeInterval the pause between two probes while the store is down
   * @param name          names the probe thread (the task id)
   */
  public StoreGate(VectorStore store, Duration probeInterval, String name) {
    this.store = store;
    this.probeInterval = probeInterval;
    this.name = name;
  }

  /** Empty while searches may go to the store; else why it is believed down. */
  public Optional<String> closedBecause() {
    return Optional.ofNullable(down.get());
  }

  /** A search found the store unreachable: close the gate until a probe gets an answer. */
  public void unreachable(String reason) {
    if (down.compareAndSet(null, reason)) {
      LOG.warn("memory store unreachable ({}): answering searches STORE_UNAVAILABLE until it answers again", reason);
      startProbe();
    }
  }

  private synchronized void startProbe() {
    if (closed || (prober != null && prober.isAlive())) {
      return;
    }
    prober = new Thread(this::probe, "tier0-search-store-probe-" + name);
    prober.setDaemon(true);
    prober.start();
  }

  private void probe() {
    long started = System.nanoTime();
    while (down.get() != null && !closed) {  // closed: also when a probe swallowed the interrupt
      try {
        Thread.sleep(probeInterval.toMillis());
      } catch (InterruptedException e) {
        return; // closed
      }
      if (store.answers()) {
        down.set(null);
        LOG.info("memory store answers again after {} s: searches go to it again",
            Duration.ofNanos(System.nanoTime() - started).toSeconds());
      }
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (prober != null) {
      prober.interrupt();
    }
  }
}
