package dev.tier0.embed;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import java.util.function.IntUnaryOperator;
import java.util.stream.IntStream;

/**
 * Throughput mode's scheduler: runs the planned batches of one call on up to {@code runs} threads at once over the
 * one shared session. Memory stays bounded by the token budget for the whole engine, not per thread: a batch takes
 * as many permits as it has padded tokens (at most the whole budget, so a single text longer than the budget still
 * runs, alone) before it is handed to a thread, and gives them back when its run has finished, whichever caller it
 * came from. A call whose plan is a single batch (a search query) runs on the caller's thread without waiting, as
 * in latency mode, so a query never queues behind a bulk ingest's batches. Batches are handed out longest first
 * ({@link #longestFirst}), so a call does not end on its longest batch running alone.
 *
 * <p>Errors: the first failing batch stops the call from handing out more batches; the call waits for the batches
 * already running (their tensors are closed before it returns), then throws an {@link EmbeddingException} whose
 * cause is the first failure. Interrupting the caller does the same and keeps the interrupt flag set.
 */
final class ConcurrentRuns implements AutoCloseable {
  private final int runs;
  private final int tokenBudget;
  private final Semaphore tokens;
  private final ExecutorService threads;

  /**
   * @param runs        batches run at once per engine (>= 1); 1 runs everything on the caller's thread
   * @param tokenBudget padded tokens in flight at most, over all callers (the options' {@code batchMaxTokens})
   * @param name        the model's name, for the threads' names ({@code tier0-run-<name>-<i>})
   */
  ConcurrentRuns(int runs, int tokenBudget, String name) {
    if (runs < 1 || tokenBudget < 1) {
      throw new IllegalArgumentException("runs and tokenBudget must be >= 1, got " + runs + " and " + tokenBudget);
    }
    this.runs = runs;
    this.tokenBudget = tokenBudget;
    this.tokens = new Semaphore(tokenBudget, true);
    if (runs == 1) {
      this.threads = null;
    } else {
      AtomicInteger next = new AtomicInteger();
      this.threads = Executors.newFixedThreadPool(runs, r -> {
        Thread t = new Thread(r, "tier0-run-" + name + "-" + next.incrementAndGet());
        t.setDaemon(true); // a forgotten close must not keep the JVM alive; close() still stops them
        return t;
      });
    }
  }

  int runs() {
    return runs;
  }

  /** Padded tokens not held by a running or queued batch right now (the budget when idle). */
  int freeTokens() {
    return tokens.availablePermits();
  }

  /** True when there are no run threads: latency mode, or after {@link #close()} has stopped them all. */
  boolean stopped() {
    return threads == null || threads.isTerminated();
  }

  /**
   * Runs {@code work} once for each batch index 0..batches-1, and returns when all have finished.
   *
   * @param batches       how many batches the call has
   * @param paddedTokens  batch index -> padded tokens its run holds (rows x padded length)
   * @param work          runs batch i; must be safe to call from several threads at once for different i
   * @throws EmbeddingException the first failure of any batch as its cause, or the interruption
   */
  void runAll(int batches, IntUnaryOperator paddedTokens, IntConsumer work) {
    if (threads == null || batches == 1) {
      for (int i = 0; i < batches; i++) {
        work.accept(i);
      }
      return;
    }
    int[] padded = new int[batches];
    for (int i = 0; i < batches; i++) {
      padded[i] = paddedTokens.applyAsInt(i);
    }
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Future<?>> running = new ArrayList<>(batches);
    try {
      for (int i : longestFirst(padded)) {
        if (failure.get() != null) {
          break;
        }
        int batch = i;
        int permits = Math.min(padded[i], tokenBudget);
        tokens.acquire(permits);
        try {
          running.add(threads.submit(() -> {
            try {
              if (failure.get() == null) {
                work.accept(batch);
              }
            } catch (Throwable t) {
              failure.compareAndSet(null, t);
            } finally {
              tokens.release(permits);
            }
          }));
        } catch (RejectedExecutionException e) {
          tokens.release(permits);
          throw new EmbeddingException("the embedding engine is closed", e);
        }
      }
    } catch (InterruptedException e) {
      failure.compareAndSet(null, e);
      Thread.currentThread().interrupt();
    } finally {
      awaitAll(running);
    }
    Throwable first = failure.get();
    if (first instanceof InterruptedException) {
      throw new EmbeddingException("interrupted while embedding", first);
    }
    if (first != null) {
      throw new EmbeddingException(first.getMessage(), first);
    }
  }

  /**
   * The order batches are handed out in: most padded tokens first, ties in plan order. The planner sorts texts by
   * length, so in plan order the longest batch came last and ran alone at the end of every call while the other
   * runs' cores idled; handing out the longest first leaves the shortest for the end (longest-processing-time-first
   * scheduling). Measured in bench/README, streams-ingest, session 34.
   *
   * @param tokens padded tokens per batch index
   * @return every batch index once
   */
  static int[] longestFirst(int[] tokens) {
    return IntStream.range(0, tokens.length).boxed()
        .sorted(Comparator.comparingInt((Integer i) -> tokens[i]).reversed())
        .mapToInt(Integer::intValue).toArray();
  }

  /** Waits for every submitted batch, even when interrupted, so no run outlives the call. */
  private static void awaitAll(List<Future<?>> running) {
    boolean interrupted = false;
    for (Future<?> f : running) {
      while (true) {
        try {
          f.get();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          break; // recorded in failure by the task itself
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    if (threads == null) {
      return;
    }
    // callers wait for their own batches, so at close nothing should be running; still, the session must not be
    // closed under a run, so wait for any straggler (a native run cannot be interrupted)
    threads.shutdown();
    boolean interrupted = false;
    while (true) {
      try {
        if (threads.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES)) {
          break;
        }
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
