package dev.tier0.streams;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tier0.ingest.CountingEmbedder;
import dev.tier0.ingest.ForwardingStore;
import dev.tier0.milvus.SearchQuery;
import dev.tier0.milvus.SearchResult;
import dev.tier0.streams.search.ReplyHeaders;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A slow store must not keep one search flush open for the whole batch: past the flush budget, the requests not
 * started yet stay pending and later flushes answer them, each exactly once.
 */
class SearchFlushBudgetTest {
  private static final Duration SEARCH_TAKES = Duration.ofMillis(300);

  @TempDir
  Path stateDir;

  @Test
  void aFlushStopsStartingSearchesPastItsBudgetAndLaterFlushesAnswerTheRestOnce() throws Exception {
    try (TopologyHarness app = new TopologyHarness(stateDir, new CountingStore(new InMemoryIndex(), SEARCH_TAKES),
        Duration.ofMillis(100))) {
      pipeRequests(app, 8); // the harness's batch is 8: the eighth request flushes in process()
      List<String> answered = new ArrayList<>(correlations(app));
      // 4 searches run at once; the next ones could only start 300 ms in, past the 100 ms budget
      assertThat(answered).as("answered by the first flush").hasSizeBetween(1, 7);
      for (int tick = 0; tick < 20 && answered.size() < 8; tick++) {
        app.tick(Duration.ofMillis(1));
        answered.addAll(correlations(app));
      }
      assertThat(answered).containsExactlyInAnyOrder("c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7");
    }
  }

  /**
   * The budget counts from the stream thread's last poll, not from the flush's start: a thread whose other tasks'
   * flushes have spent it starts no search, and polls and commits first; the requests wait, and are answered once,
   * after the poll. Before, each task's flush had its own budget, and under exactly-once a thread running several
   * back to back kept its transaction open past the timeout (the 20,000-record soak's search threads were fenced).
   */
  @Test
  void aThreadWhoseBudgetSinceItsPollIsSpentStartsNoSearchUntilItHasPolled() throws Exception {
    CountingStore store = new CountingStore(new InMemoryIndex(), Duration.ZERO);
    PollAge poll = new PollAge(Duration.ofSeconds(11));
    try (TopologyHarness app = new TopologyHarness(stateDir, store, Duration.ofSeconds(10), TestModel.embedder(),
        poll)) {
      pipeRequests(app, 8); // a full batch: process() flushes
      app.tick(Duration.ofMillis(1));
      assertThat(store.searches).as("searches started by a thread past its budget").hasValue(0);
      assertThat(correlations(app)).isEmpty();
      poll.age = Duration.ZERO;
      app.tick(Duration.ofMillis(1));
      assertThat(correlations(app)).containsExactlyInAnyOrder("c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7");
      app.tick(Duration.ofMillis(1));
      assertThat(correlations(app)).as("answered once").isEmpty();
    }
  }

  /** What is left of the budget after the poll bounds the flush: 100 ms of it let only the first searches start. */
  @Test
  void aFlushStartsSearchesOnlyForWhatIsLeftOfTheBudgetSinceThePoll() throws Exception {
    PollAge poll = new PollAge(Duration.ofMillis(900));
    try (TopologyHarness app = new TopologyHarness(stateDir, new CountingStore(new InMemoryIndex(), SEARCH_TAKES),
        Duration.ofSeconds(1), TestModel.embedder(), poll)) {
      pipeRequests(app, 8);
      // 4 searches run at once and take 300 ms: with the whole second, the next 4 would start too
      assertThat(correlations(app)).as("answered by the first flush").hasSizeBetween(1, 4);
    }
  }

  /**
   * A backlog is embedded a batch at a time, and only as far as the flush gets: before, every flush embedded every
   * pending request in one model call however few of them it could search, and with a backlog every new request
   * flushed again, so a saturated store made the search side re-embed its whole backlog per request.
   */
  @Test
  void aBacklogIsEmbeddedABatchAtATimeAndEachRequestAnsweredOnce() throws Exception {
    CountingEmbedder model = new CountingEmbedder(TestModel.embedder());
    PollAge poll = new PollAge(Duration.ofSeconds(11));
    try (TopologyHarness app = new TopologyHarness(stateDir, new InMemoryIndex(), Duration.ofSeconds(10), model,
        poll)) {
      pipeRequests(app, 30);
      assertThat(model.largestQueryBatch()).as("nothing embedded past the budget").isZero();
      poll.age = Duration.ZERO;
      app.tick(Duration.ofMillis(1));
      List<String> answered = correlations(app);
      assertThat(answered).hasSize(30).doesNotHaveDuplicates();
      assertThat(model.largestQueryBatch()).as("queries in one model call (the batch is 8)").isEqualTo(8);
    }
  }

  private static void pipeRequests(TopologyHarness app, int n) {
    for (int i = 0; i < n; i++) {
      RecordHeaders headers = new RecordHeaders();
      headers.add(ReplyHeaders.CORRELATION_ID, ("c" + i).getBytes(UTF_8));
      app.requests.pipeInput(new TestRecord<>(null,
          "{\"query\":\"buy oat milk\",\"tenant\":\"acme\"}".getBytes(UTF_8), headers));
    }
  }

  private static List<String> correlations(TopologyHarness app) {
    return app.replies.readRecordsToList().stream()
        .map(r -> new String(r.headers().lastHeader(ReplyHeaders.CORRELATION_ID).value(), UTF_8)).toList();
  }

  /** An index that counts its searches, each taking {@code takes}, as a store saturated by writes does. */
  private static final class CountingStore extends ForwardingStore {
    final AtomicInteger searches = new AtomicInteger();
    private final Duration takes;

    CountingStore(InMemoryIndex delegate, Duration takes) {
      super(delegate);
      this.takes = takes;
    }

    @Override
    public SearchResult searchMemories(SearchQuery query) {
      searches.incrementAndGet();
      try {
        Thread.sleep(takes.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return delegate.searchMemories(query);
    }
  }

  /** The stream thread's poll, as old as the test says. */
  private static final class PollAge implements ThreadMembership {
    volatile Duration age;

    PollAge(Duration age) {
      this.age = age;
    }

    @Override
    public Duration sinceLastPoll() {
      return age;
    }

    @Override
    public boolean isMember() {
      return true;
    }

    @Override
    public boolean closingForGood() {
      return true;
    }
  }
}
