package dev.tier0.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Throughput mode's scheduler without a model: every batch once, the token budget, errors, and nothing left running. */
class ConcurrentRunsTest {

  /** Tracks the padded tokens of the batches running right now and the most ever seen at once. */
  private static final class InFlight {
    final AtomicLong now = new AtomicLong();
    final AtomicLong most = new AtomicLong();
    final AtomicInteger runningBatches = new AtomicInteger();
    final AtomicInteger mostBatches = new AtomicInteger();

    void enter(int tokens) {
      most.accumulateAndGet(now.addAndGet(tokens), Math::max);
      mostBatches.accumulateAndGet(runningBatches.incrementAndGet(), Math::max);
    }

    void exit(int tokens) {
      now.addAndGet(-tokens);
      runningBatches.decrementAndGet();
    }
  }

  @Test
  void runsEveryBatchExactlyOnceAndKeepsTheTokensInFlightUnderTheBudget() {
    int[] tokens = new int[200];
    for (int i = 0; i < tokens.length; i++) {
      tokens[i] = 50 + (i * 37) % 400; // 50..449 padded tokens
    }
    InFlight inFlight = new InFlight();
    Set<Integer> done = ConcurrentHashMap.newKeySet();
    AtomicInteger calls = new AtomicInteger();
    try (ConcurrentRuns runs = new ConcurrentRuns(4, 1000, "test")) {
      runs.runAll(tokens.length, b -> tokens[b], b -> {
        inFlight.enter(tokens[b]);
        try {
          calls.incrementAndGet();
          done.add(b);
          Thread.yield();
        } finally {
          inFlight.exit(tokens[b]);
        }
      });
      assertThat(runs.freeTokens()).isEqualTo(1000);
    }
    assertThat(calls.get()).isEqualTo(tokens.length);
    assertThat(done).hasSize(tokens.length);
    assertThat(inFlight.most.get()).isLessThanOrEqualTo(1000);
    assertThat(inFlight.mostBatches.get()).isLessThanOrEqualTo(4);
    assertThat(inFlight.now.get()).isZero();
  }

  @Test
  void runsBatchesAtTheSameTimeWhenTheBudgetAllows() throws InterruptedException {
    CountDownLatch bothStarted = new CountDownLatch(2);
    List<Boolean> sawTheOther = Collections.synchronizedList(new ArrayList<>());
    try (ConcurrentRuns runs = new ConcurrentRuns(2, 100, "test")) {
      runs.runAll(2, b -> 50, b -> {
        bothStarted.countDown();
        try {
          // each batch waits for the other to have started: only true concurrency completes this
          sawTheOther.add(bothStarted.await(60, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
    }
    assertThat(sawTheOther).containsExactly(true, true);
  }

  @Test
  void theLongestBatchesAreHandedOutFirstSoTheShortestEndTheCall() {
    // the planner's order is by length, longest last; each batch here takes the whole budget, so they run one at a
    // time and start in the order they are handed out: most padded tokens first, ties in plan order
    int[] tokens = {100, 200, 300, 400, 300};
    List<Integer> started = Collections.synchronizedList(new ArrayList<>());
    try (ConcurrentRuns runs = new ConcurrentRuns(2, 100, "test")) {
      runs.runAll(tokens.length, b -> tokens[b], started::add);
    }
    assertThat(started).containsExactly(3, 2, 4, 1, 0);
  }

  @Test
  void withRoomForTwoTheTwoLongestStartFirst() throws InterruptedException {
    int[] tokens = {40, 41, 42, 43, 44, 45, 46, 47}; // ascending, as the planner makes them
    CountDownLatch twoStarted = new CountDownLatch(2);
    List<Integer> started = Collections.synchronizedList(new ArrayList<>());
    try (ConcurrentRuns runs = new ConcurrentRuns(2, 100, "test")) {
      runs.runAll(tokens.length, b -> tokens[b], b -> {
        started.add(b);
        twoStarted.countDown();
        try {
          twoStarted.await(60, TimeUnit.SECONDS); // the first two hold their runs until both have started
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
    }
    assertThat(started).hasSize(tokens.length);
    assertThat(started.subList(0, 2)).containsExactlyInAnyOrder(7, 6);
  }

  @Test
  void aBatchOverTheWholeBudgetRunsAlone() {
    int[] tokens = {30, 5000, 30, 30, 5000, 30};
    InFlight inFlight = new InFlight();
    List<Integer> alongsideBig = Collections.synchronizedList(new ArrayList<>());
    try (ConcurrentRuns runs = new ConcurrentRuns(3, 100, "test")) {
      runs.runAll(tokens.length, b -> tokens[b], b -> {
        inFlight.enter(tokens[b]);
        try {
          if (tokens[b] == 5000) {
            alongsideBig.add(inFlight.runningBatches.get());
          }
        } finally {
          inFlight.exit(tokens[b]);
        }
      });
    }
    assertThat(alongsideBig).containsExactly(1, 1);
  }

  @Test
  void theBudgetHoldsAcrossCallersSharingTheEngine() throws InterruptedException {
    InFlight inFlight = new InFlight();
    try (ConcurrentRuns runs = new ConcurrentRuns(3, 300, "test")) {
      List<Thread> callers = new ArrayList<>();
      for (int c = 0; c < 4; c++) {
        Thread t = new Thread(() -> runs.runAll(40, b -> 100, b -> {
          inFlight.enter(100);
          try {
            Thread.yield();
          } finally {
            inFlight.exit(100);
          }
        }));
        callers.add(t);
        t.start();
      }
      for (Thread t : callers) {
        t.join();
      }
      assertThat(runs.freeTokens()).isEqualTo(300);
    }
    assertThat(inFlight.most.get()).isLessThanOrEqualTo(300);
  }

  @Test
  void theFirstFailureReachesTheCallerAfterEveryStartedBatchHasEnded() {
    InFlight inFlight = new InFlight();
    IllegalStateException boom = new IllegalStateException("ORT failed on batch 7");
    try (ConcurrentRuns runs = new ConcurrentRuns(3, 1000, "test")) {
      assertThatThrownBy(() -> runs.runAll(50, b -> 100, b -> {
        inFlight.enter(100);
        try {
          if (b == 7) {
            throw boom;
          }
          Thread.yield();
        } finally {
          inFlight.exit(100);
        }
      })).isInstanceOf(EmbeddingException.class).hasMessage("ORT failed on batch 7").hasCause(boom);
      // nothing still running or holding tokens once the call has thrown
      assertThat(inFlight.runningBatches.get()).isZero();
      assertThat(runs.freeTokens()).isEqualTo(1000);
      // and the engine keeps working after a failed call
      AtomicInteger after = new AtomicInteger();
      runs.runAll(10, b -> 100, b -> after.incrementAndGet());
      assertThat(after.get()).isEqualTo(10);
    }
  }

  @Test
  void aSingleBatchAndLatencyModeRunOnTheCallersThread() {
    Thread caller = Thread.currentThread();
    List<Thread> seen = Collections.synchronizedList(new ArrayList<>());
    try (ConcurrentRuns throughput = new ConcurrentRuns(4, 100, "test");
         ConcurrentRuns latency = new ConcurrentRuns(1, 100, "test")) {
      throughput.runAll(1, b -> 100, b -> seen.add(Thread.currentThread()));
      latency.runAll(5, b -> 100, b -> seen.add(Thread.currentThread()));
    }
    assertThat(seen).hasSize(6).allMatch(t -> t == caller);
  }

  @Test
  void anInterruptedCallerStopsWaitsForItsRunningBatchesAndKeepsTheFlag() throws InterruptedException {
    InFlight inFlight = new InFlight();
    AtomicInteger started = new AtomicInteger();
    List<Throwable> thrown = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch firstRunning = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger interruptFlag = new AtomicInteger(-1);
    try (ConcurrentRuns runs = new ConcurrentRuns(2, 100, "test")) {
      Thread caller = new Thread(() -> {
        try {
          // each batch takes the whole budget, so the caller waits for permits while batch 0 runs
          runs.runAll(20, b -> 100, b -> {
            inFlight.enter(100);
            try {
              started.incrementAndGet();
              firstRunning.countDown();
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            } finally {
              inFlight.exit(100);
            }
          });
        } catch (Throwable t) {
          thrown.add(t);
        }
        interruptFlag.set(Thread.currentThread().isInterrupted() ? 1 : 0);
      });
      caller.start();
      firstRunning.await();
      caller.interrupt();
      release.countDown();
      caller.join();
      assertThat(runs.freeTokens()).isEqualTo(100);
    }
    assertThat(thrown).singleElement().isInstanceOf(EmbeddingException.class)
        .extracting(Throwable::getCause).isInstanceOf(InterruptedException.class);
    assertThat(interruptFlag.get()).isEqualTo(1);
    assertThat(started.get()).isLessThan(20);
    assertThat(inFlight.runningBatches.get()).isZero();
  }
}
