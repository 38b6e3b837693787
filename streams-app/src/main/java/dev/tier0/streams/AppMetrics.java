package dev.tier0.streams;

import dev.tier0.embed.SharedModels;
import dev.tier0.streams.search.ErrorCode;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/** The app's own counters and timers, shared by all stream threads; read by the health endpoint. */
public final class AppMetrics {
  private final LongAdder ingested = new LongAdder();
  private final LongAdder deleted = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  private final LongAdder skipped = new LongAdder();
  private final LongAdder undecodable = new LongAdder();
  private final LongAdder flushFailures = new LongAdder();
  private final LongAdder answered = new LongAdder();
  private final LongAdder unroutable = new LongAdder();
  private final LongAdder threadsReplaced = new LongAdder();
  private final Map<ErrorCode, LongAdder> errorReplies = new EnumMap<>(ErrorCode.class);
  private final Timer embedDocuments = new Timer();
  private final Timer embedQueries = new Timer();
  private final Timer search = new Timer();
  private final Timer upsert = new Timer();

  public AppMetrics() {
    for (ErrorCode code : ErrorCode.values()) {
      errorReplies.put(code, new LongAdder());
    }
  }

  public void recordsIngested(int n) { ingested.add(n); }
  public void recordsDeleted(int n) { deleted.add(n); }
  public void recordRejected() { rejected.increment(); }
  public void recordSkipped() { skipped.increment(); }
  public void recordUndecodable() { undecodable.increment(); }
  public void flushFailed() { flushFailures.increment(); }
  /** Every reply, hits or error. */
  public void requestAnswered() { answered.increment(); }
  public void errorReply(ErrorCode code) { errorReplies.get(code).increment(); }
  /** A reply that could not be produced (the broker refused it). */
  public void replyUnroutable() { unroutable.increment(); }
  /** A stream thread died of an exception and was replaced (its tasks restart from their last commit). */
  public void streamThreadReplaced() { threadsReplaced.increment(); }
  public Timer embedDocumentsTimer() { return embedDocuments; }
  public Timer embedQueriesTimer() { return embedQueries; }
  public Timer searchTimer() { return search; }
  public Timer upsertTimer() { return upsert; }

  public long ingested() { return ingested.sum(); }
  public long deleted() { return deleted.sum(); }
  public long rejected() { return rejected.sum(); }
  public long undecodable() { return undecodable.sum(); }
  public long answered() { return answered.sum(); }
  public long streamThreadsReplaced() { return threadsReplaced.sum(); }
  public long errorReplies() { return errorReplies.values().stream().mapToLong(LongAdder::sum).sum(); }
  public long errorReplies(ErrorCode code) { return errorReplies.get(code).sum(); }

  /** A flat, JSON-friendly view. */
  public Map<String, Object> snapshot() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("records_ingested", ingested.sum());
    m.put("records_deleted", deleted.sum());
    m.put("records_rejected", rejected.sum());
    m.put("records_skipped", skipped.sum());
    m.put("records_undecodable", undecodable.sum());
    m.put("ingest_flush_failures", flushFailures.sum());
    m.put("requests_answered", answered.sum());
    m.put("request_errors", errorReplies());
    Map<String, Long> byCode = new LinkedHashMap<>();
    errorReplies.forEach((code, n) -> {
      if (n.sum() > 0) {
        byCode.put(code.name(), n.sum());
      }
    });
    m.put("request_errors_by_code", byCode);
    m.put("replies_unroutable", unroutable.sum());
    m.put("stream_threads_replaced", threadsReplaced.sum());
    m.put("embed_documents", embedDocuments.snapshot());
    m.put("embed_queries", embedQueries.snapshot());
    m.put("search", search.snapshot());
    m.put("upsert", upsert.snapshot());
    m.put("graph_runs", SharedModels.graphRuns()); // "<model>/<graph file>" -> ORT runs, models loaded now
    return m;
  }

  /** Count, total and max of a duration, in nanoseconds internally. */
  public static final class Timer {
    private final LongAdder count = new LongAdder();
    private final LongAdder totalNanos = new LongAdder();
    private final LongAccumulator maxNanos = new LongAccumulator(Math::max, 0);

    public void record(long nanos) {
      count.increment();
      totalNanos.add(nanos);
      maxNanos.accumulate(nanos);
    }

    public long count() {
      return count.sum();
    }

    /** The recorded durations' sum, in nanoseconds. */
    public long totalNanos() {
      return totalNanos.sum();
    }

    Map<String, Object> snapshot() {
      long n = count.sum();
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("count", n);
      m.put("total_ms", totalNanos.sum() / 1e6);
      m.put("mean_ms", n == 0 ? 0.0 : totalNanos.sum() / 1e6 / n);
      m.put("max_ms", maxNanos.get() / 1e6);
      return m;
    }
  }
}
