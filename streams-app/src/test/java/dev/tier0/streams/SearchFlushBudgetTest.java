package dev.tier0.streams;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tier0.ingest.ForwardingStore;
import dev.tier0.milvus.SearchQuery;
import dev.tier0.milvus.SearchResult;
import dev.tier0.streams.search.ReplyHeaders;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
    try (TopologyHarness app = new TopologyHarness(stateDir, new SlowStore(new InMemoryIndex()),
        Duration.ofMillis(100))) {
      for (int i = 0; i < 8; i++) { // the harness's batch is 8: the eighth request flushes in process()
        RecordHeaders headers = new RecordHeaders();
        headers.add(ReplyHeaders.CORRELATION_ID, ("c" + i).getBytes(UTF_8));
        app.requests.pipeInput(new TestRecord<>(null,
            "{\"query\":\"buy oat milk\",\"tenant\":\"acme\"}".getBytes(UTF_8), headers));
      }
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

  private static List<String> correlations(TopologyHarness app) {
    return app.replies.readRecordsToList().stream()
        .map(r -> new String(r.headers().lastHeader(ReplyHeaders.CORRELATION_ID).value(), UTF_8)).toList();
  }

  /** An index whose searches take {@link #SEARCH_TAKES}, as a store saturated by writes does. */
  private static final class SlowStore extends ForwardingStore {
    SlowStore(InMemoryIndex delegate) {
      super(delegate);
    }

    @Override
    public SearchResult searchMemories(SearchQuery query) {
      try {
        Thread.sleep(SEARCH_TAKES.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return delegate.searchMemories(query);
    }
  }
}
