package dev.tier0.streams.search;

import dev.tier0.ingest.Embedder;
import dev.tier0.ingest.VectorStore;
import dev.tier0.milvus.InvalidFilterException;
import dev.tier0.milvus.SearchOptions;
import dev.tier0.milvus.SearchQuery;
import dev.tier0.milvus.SearchResult;
import dev.tier0.milvus.UnsupportedModeException;
import dev.tier0.milvus.StoreException;
import dev.tier0.milvus.TransientStoreException;
import dev.tier0.streams.AppMetrics;
import dev.tier0.streams.ThreadMembership;
import dev.tier0.streams.format.RequestDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers every request exactly once. Requests wait in a changelogged store (keyed by offset) until the
 * micro-batch flushes: when it is full, or at the next wall-clock tick, which comes right after the stream
 * thread has processed what one poll returned. So requests that arrive together are embedded together, and an
 * offset is never committed for a request whose reply is still only in memory.
 */
public final class SearchProcessor implements Processor<byte[], byte[], byte[], OutgoingReply> {
  public static final String STORE = "tier0-search-pending";
  private static final Logger LOG = LoggerFactory.getLogger(SearchProcessor.class);
  /** While the store is down, how often the task asks whether it answers again. */
  static final Duration STORE_PROBE_INTERVAL = Duration.ofMillis(500);

  private final SearchSettings settings;
  private final SearchRequestParser parser;
  private final RequestDecoder decoder;
  private final Embedder embedder;
  private final VectorStore index;
  private final AppMetrics metrics;
  private final ThreadMembership membership;

  private ProcessorContext<byte[], OutgoingReply> context;
  private KeyValueStore<Long, byte[]> pending;
  private int pendingCount;
  private ExecutorService searchPool;
  private StoreGate gate;

  public SearchProcessor(SearchSettings settings, Embedder embedder, VectorStore index, AppMetrics metrics) {
    this(settings, RequestDecoder.JSON, embedder, index, metrics, ThreadMembership.unbound());
  }

  /**
   * @param membership tells how long ago the stream thread polled: a flush's budget counts from there (bind it to
   *                   the Kafka Streams instance that runs this processor)
   */
  public SearchProcessor(SearchSettings settings, RequestDecoder decoder, Embedder embedder, VectorStore index,
                         AppMetrics metrics, ThreadMembership membership) {
    this.membership = membership;
    this.settings = settings;
    this.parser = new SearchRequestParser(settings.limits());
    this.decoder = decoder;
    this.embedder = embedder;
    this.index = index;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<byte[], OutgoingReply> context) {
    this.context = context;
    this.pending = context.getStateStore(STORE);
    pendingCount = (int) pending.approximateNumEntries();
    gate = new StoreGate(index, STORE_PROBE_INTERVAL, context.taskId().toString());
    context.schedule(settings.batchWindow(), PunctuationType.WALL_CLOCK_TIME, now -> {
      if (pendingCount > 0) {
        flush();
      }
    });
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    long offset = context.recordMetadata().orElseThrow().offset();
    Headers headers = record.headers();
    PendingRequest request = new PendingRequest(record.key(), record.value(),
        ReplyHeaders.last(headers, ReplyHeaders.CORRELATION_ID).orElse(null),
        ReplyHeaders.last(headers, ReplyHeaders.REPLY_TOPIC).map(b -> new String(b, StandardCharsets.UTF_8))
            .orElse(null),
        ReplyHeaders.replyPartition(headers).orElse(null), record.timestamp());
    pending.put(offset, request.encode());
    pendingCount++;
    if (pendingCount >= settings.maxBatch()) {
      flush();
    }
  }

  /**
   * Answers pending requests, oldest first, a batch of at most {@link SearchSettings#maxBatch()} at a time (one model
   * call each), and forgets them; it starts no search once the flush budget ({@link SearchSettings#flushBudget()})
   * has passed since the stream thread last polled. What it did not start stays pending for a later flush, after the
   * thread has polled and committed. Why, from issue 15's soaks: with Milvus Lite saturated by ingest, one flush of
   * 32 searches took minutes, far past the 60 s transaction timeout; then a per-flush budget still let one thread
   * run several tasks' flushes back to back past it (the search threads were fenced, their replies aborted and
   * answered again); and a backlog was embedded whole by every flush, however few of it the flush could search.
   */
  void flush() {
    Duration left = settings.flushBudget().minus(membership.sinceLastPoll());
    if (left.isNegative() || left.isZero()) {
      return; // other tasks' flushes spent this thread's time since its poll: poll and commit first
    }
    long deadline = System.nanoTime() + left.toNanos();
    boolean first = true;
    boolean answeredAll;
    do {
      answeredAll = answerOldest(deadline, first);
      first = false;
    } while (answeredAll && pendingCount > 0 && System.nanoTime() - deadline < 0);
  }

  /**
   * Answers the oldest batch of pending requests, starting no search after {@code deadline} (System.nanoTime())
   * except, in a flush's {@code first} batch, its first one; returns whether it answered the whole batch.
   */
  private boolean answerOldest(long deadline, boolean first) {
    List<KeyValue<Long, byte[]>> entries = new ArrayList<>(settings.maxBatch());
    try (KeyValueIterator<Long, byte[]> it = pending.all()) { // by offset: Long keys serialize big-endian
      while (it.hasNext() && entries.size() < settings.maxBatch()) {
        entries.add(it.next());
      }
    }
    List<Answer> answers = new ArrayList<>(entries.size());
    List<Answer> searches = new ArrayList<>();
    for (KeyValue<Long, byte[]> entry : entries) {
      Answer answer = prepare(PendingRequest.decode(entry.value));
      answers.add(answer);
      if (answer.failure == null) {
        searches.add(answer);
      }
    }
    embed(searches);
    List<Answer> toSearch = searches.stream().filter(a -> a.failure == null).toList();
    // the first search of a flush always runs, so every flush makes progress however slow the store is
    for (int i = first ? 1 : 0; i < toSearch.size(); i++) {
      toSearch.get(i).deadline = deadline;
    }
    searchAll(toSearch);
    int answered = 0;
    for (int i = 0; i < entries.size(); i++) {
      if (answers.get(i).deferred) {
        continue; // stays pending: a later flush searches it
      }
      send(answers.get(i));
      pending.delete(entries.get(i).key);
      answered++;
    }
    pendingCount -= answered;
    if (answered < entries.size()) {
      LOG.debug("flush budget {} spent: {} of {} requests answered, {} wait for the next flush",
          settings.flushBudget(), answered, entries.size(), pendingCount);
    }
    return answered == entries.size();
  }

  private Answer prepare(PendingRequest request) {
    Answer answer = new Answer(request);
    if (request.replyTopic() != null && !usableTopic(request.replyTopic())) {
      answer.fail(ErrorCode.UNKNOWN_REPLY_TOPIC, "reply topic '" + abbreviate(request.replyTopic())
          + "' does not exist or is not a valid topic name; replying on " + settings.defaultReplyTopic());
      answer.topic = settings.defaultReplyTopic();
      answer.partition = null;
      return answer;
    }
    try {
      answer.request = parser.parse(decoder.toJson(request.value()));
    } catch (RequestRejectedException e) {
      answer.fail(e.code(), e.getMessage());
    }
    return answer;
  }

  /** One model call for the whole batch; if it fails, each query alone, so one bad query cannot fail the rest. */
  private void embed(List<Answer> answers) {
    if (answers.isEmpty()) {
      return;
    }
    long start = System.nanoTime();
    try {
      List<float[]> vectors = embedder.embedQueries(answers.stream().map(a -> a.request.query()).toList());
      double ms = elapsedMs(start);
      metrics.embedQueriesTimer().record(System.nanoTime() - start);
      for (int i = 0; i < answers.size(); i++) {
        answers.get(i).vector = vectors.get(i);
        answers.get(i).embedMs = ms;
      }
    } catch (RuntimeException batchFailure) {
      LOG.warn("embedding a batch of {} queries failed, embedding them one by one", answers.size(), batchFailure);
      for (Answer answer : answers) {
        long one = System.nanoTime();
        try {
          answer.vector = embedder.embedQueries(List.of(answer.request.query())).get(0);
          answer.embedMs = elapsedMs(one);
        } catch (RuntimeException e) {
          answer.fail(ErrorCode.EMBEDDING_FAILED, "the model failed on this query: " + describe(e));
        }
      }
    }
  }

  /**
   * The batch's searches run side by side when there are several: each is a separate round trip to the store. Once
   * one finds the store unreachable, the rest get the same retriable error without a try ({@link StoreGate}): each
   * try against a store that is down costs up to milvus.connect.timeout.ms, and a full batch of them would keep the
   * stream thread past max.poll.interval.ms (it would leave the group and, under at_least_once, answer the batch
   * again after the rebalance).
   */
  private void searchAll(List<Answer> answers) {
    if (answers.size() <= 1 || settings.searchParallelism() <= 1) {
      answers.forEach(this::search);
      return;
    }
    if (searchPool == null) {
      searchPool = Executors.newFixedThreadPool(settings.searchParallelism(), runnable -> {
        Thread t = new Thread(runnable, "tier0-search-" + context.taskId());
        t.setDaemon(true);
        return t;
      });
    }
    List<Future<?>> running = new ArrayList<>(answers.size());
    for (Answer answer : answers) {
      running.add(searchPool.submit(() -> search(answer)));
    }
    for (Future<?> f : running) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StreamsException("interrupted while searching", e);
      } catch (ExecutionException e) {
        throw new StreamsException("search task failed", e.getCause());  // search() catches everything itself
      }
    }
  }

  @Override
  public void close() {
    if (gate != null) {
      gate.close();
    }
    if (searchPool != null) {
      searchPool.shutdownNow();
    }
  }

  private void search(Answer answer) {
    if (answer.deadline != null && System.nanoTime() - answer.deadline >= 0) {
      answer.deferred = true;
      return;
    }
    Optional<String> down = gate.closedBecause();
    if (down.isPresent()) {
      answer.fail(ErrorCode.STORE_UNAVAILABLE, "memory store unavailable: search: " + down.get()
          + " (not tried: the store has not answered since; retry later)");
      return;
    }
    long start = System.nanoTime();
    try {
      SearchRequest request = answer.request;
      SearchResult result = index.searchMemories(new SearchQuery(answer.vector, request.tenant(), request.topK(),
          Map.of(), 0, request.minScore(), options(request, answer.pending.timestamp())));
      answer.hits = result.hits().stream()
          .map(h -> new SearchHit(h.id(), h.score(), h.text(), h.metadata(), h.passage(), h.chunkIndex(),
              h.chunkCount(), h.spanStart(), h.spanEnd(), h.truncated())).toList();
      answer.mode = result.mode().wireName();
      answer.searchMs = elapsedMs(start);
      metrics.searchTimer().record(System.nanoTime() - start);
    } catch (TransientStoreException e) {
      if (e.kind() == TransientStoreException.Kind.UNREACHABLE) {
        gate.unreachable(describe(e));
      }
      answer.fail(ErrorCode.STORE_UNAVAILABLE, "memory store unavailable: search: " + describe(e));
    } catch (UnsupportedModeException e) {
      answer.fail(ErrorCode.UNSUPPORTED_MODE, e.getMessage());
    } catch (InvalidFilterException e) {
      answer.fail(ErrorCode.BAD_FILTER, e.getMessage());
    } catch (StoreException e) {
      answer.fail(ErrorCode.STORE_ERROR, "memory store refused the search: search: " + describe(e));
    } catch (RuntimeException e) {
      LOG.error("search failed unexpectedly", e);
      answer.fail(ErrorCode.INTERNAL_ERROR, "search failed: " + describe(e));
    }
  }

  /**
   * The store's options of a request. Recency counts age from the request record's timestamp, so a request
   * replayed after a crash ranks as it did the first time.
   */
  private static SearchOptions options(SearchRequest request, long requestTimestampMs) {
    SearchOptions.Recency recency = request.recencyHalfLife() == null ? null
        : new SearchOptions.Recency(request.recencyHalfLife(),
            requestTimestampMs > 0 ? requestTimestampMs : System.currentTimeMillis());
    return new SearchOptions(request.query(), request.mode(), request.fusion(), request.filter(), recency);
  }

  private void send(Answer answer) {
    PendingRequest request = answer.pending;
    String correlation = ReplyHeaders.correlationText(request.correlationId());
    SearchReply reply = answer.failure != null ? answer.failure.withCorrelation(correlation)
        : new SearchReply.Hits(correlation, embedder.modelName(), answer.hits,
            new SearchReply.Timings(answer.embedMs, answer.searchMs), answer.mode);
    if (reply instanceof SearchReply.Failure failure) {
      metrics.errorReply(failure.code());
      LOG.debug("error reply {}: {}", failure.code(), failure.message());
    }
    Headers headers = new RecordHeaders();
    if (request.correlationId() != null) {
      headers.add(ReplyHeaders.CORRELATION_ID, request.correlationId());
    }
    context.forward(new Record<>(request.key(),
        new OutgoingReply(answer.topic, answer.partition, SearchReplyCodec.encode(reply)),
        context.currentSystemTimeMs(), headers));
    metrics.requestAnswered();
  }

  private boolean usableTopic(String topic) {
    try {
      Topic.validate(topic);
    } catch (InvalidTopicException e) {
      return false;
    }
    return settings.replyTopicExists().test(topic);
  }

  private static double elapsedMs(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e6;
  }

  private static String describe(Throwable e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "...";
  }

  /** One request's way through the batch. */
  private final class Answer {
    final PendingRequest pending;
    String topic;
    Integer partition;
    SearchRequest request;
    float[] vector;
    double embedMs;
    double searchMs;
    List<SearchHit> hits;
    String mode;
    /** Set once the request has failed (its correlation id is filled in when sent). */
    Failure failure;
    /** System.nanoTime() after which this search is not started in this flush; null: always started. */
    Long deadline;
    /** Not started before its deadline: not answered, it stays pending for the next flush. */
    boolean deferred;

    Answer(PendingRequest pending) {
      this.pending = pending;
      this.topic = Optional.ofNullable(pending.replyTopic()).orElse(settings.defaultReplyTopic());
      this.partition = pending.replyPartition();
    }

    void fail(ErrorCode code, String message) {
      failure = new Failure(code, message);
    }
  }

  private record Failure(ErrorCode code, String message) {
    SearchReply withCorrelation(String correlationId) {
      return new SearchReply.Failure(correlationId, code, message);
    }
  }
}
