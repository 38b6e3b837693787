package dev.tier0.streams.ingest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tier0.embed.BundledModel;
import dev.tier0.embed.EngineOptions;
import dev.tier0.embed.Passage;
import dev.tier0.embed.SharedModels;
import dev.tier0.ingest.Embedder;
import dev.tier0.ingest.EngineEmbedder;
import dev.tier0.ingest.ChunkSettings;
import dev.tier0.ingest.FaultyStore;
import dev.tier0.ingest.ForwardingEmbedder;
import dev.tier0.ingest.ForwardingStore;
import dev.tier0.ingest.IngestWriter;
import dev.tier0.ingest.RetryPolicy;
import dev.tier0.ingest.VectorStore;
import dev.tier0.ingest.WriteLimits;
import dev.tier0.ingest.WriterFailedException;
import dev.tier0.memory.IdStrategy;
import dev.tier0.memory.MappingConfig;
import dev.tier0.memory.MemoryMapper;
import dev.tier0.streams.ThreadMembership;
import dev.tier0.milvus.StoredMemory;
import dev.tier0.milvus.TransientStoreException;
import dev.tier0.streams.AppMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.Punctuator;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedForward;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ingest processor alone, in Kafka Streams' MockProcessorContext with the real model and a store that fails
 * on demand: what it parks, flushes, dead-letters and keeps.
 */
class IngestProcessorTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static Embedder model;

  private final FaultyStore store = new FaultyStore();
  private final AppMetrics metrics = new AppMetrics();
  private MockProcessorContext<byte[], byte[]> context;
  private KeyValueStore<String, PendingRecord> pending;
  private IngestProcessor processor;
  private long offset;

  @BeforeAll
  static void loadModel() {
    model = new EngineEmbedder(SharedModels.acquire(BundledModel.directory(), EngineOptions.defaults()));
  }

  @BeforeEach
  void init() {
    init(new IngestSettings("memories", "memories.dlq", 50, 1_000_000, Duration.ofSeconds(1),
        new RetryPolicy(1, Duration.ZERO, Duration.ofSeconds(5)), WriteLimits.defaults()), store);
  }

  private void init(IngestSettings settings, VectorStore target) {
    init(settings, target, ThreadMembership.unbound());
  }

  private void init(IngestSettings settings, VectorStore target, ThreadMembership membership) {
    init(settings, target, membership, model);
  }

  private void init(IngestSettings settings, VectorStore target, ThreadMembership membership, Embedder embedder) {
    MemoryMapper mapper = new MemoryMapper(MappingConfig.builder().idStrategy(IdStrategy.FIELD).idField("id")
        .tenantField("tenant").build());
    processor = new IngestProcessor(settings, mapper, embedder,
        new IngestWriter(embedder, target, settings.limits(), settings.retry()), metrics, membership,
        new EmbedThreads());
    context = new MockProcessorContext<>();
    context.setCurrentSystemTimeMs(0);
    pending = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(IngestProcessor.STORE), Serdes.String(),
        new PendingRecordSerde()).withLoggingDisabled().build();
    pending.init(context.getStateStoreContext(), pending);
    context.addStateStore(pending);
    processor.init(context);
  }

  private void send(String key, String json) {
    context.setRecordMetadata("memories", 0, offset++);
    processor.process(new Record<>(key == null ? null : key.getBytes(UTF_8),
        new IngestValue(parse(json), json.getBytes(UTF_8)), 1000L));
  }

  private static Map<?, ?> parse(String json) {
    try {
      return JSON.readValue(json, Map.class);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private void sendFifty(int deepAt) {
    for (int i = 0; i < 50; i++) {
      send("r-" + i, i == deepAt ? "{\"id\":\"bad\",\"text\":\"refused\",\"tenant\":\"t1\"}"
          : "{\"id\":\"r-" + i + "\",\"text\":\"row number " + i + "\",\"tenant\":\"t1\"}");
    }
  }

  private List<CapturedForward<? extends byte[], ? extends byte[]>> deadLetters() {
    return context.forwarded(IngestProcessor.DEAD_LETTER_SINK);
  }

  @Test
  void shouldStoreFortyNineRowsAndDeadLetterTheOneTheStoreRefusesWithTheRecordAsRead() {
    store.refuses = m -> m.chunk().memoryId().equals("bad");
    sendFifty(23);
    assertThat(store.rows).hasSize(49).doesNotContainKey("bad");
    assertThat(deadLetters()).singleElement().satisfies(f -> {
      assertThat(new String(f.record().value(), UTF_8)).isEqualTo("{\"id\":\"bad\",\"text\":\"refused\",\"tenant\":\"t1\"}");
      assertThat(header(f, "__streams.errors.message")).contains("Milvus refused this record");
      assertThat(header(f, "__streams.errors.offset")).isEqualTo("23");
    });
    assertThat(pending.approximateNumEntries()).as("nothing left to repeat").isZero();
    assertThat(metrics.rejected()).isEqualTo(1);
  }

  @Test
  void shouldRejectTooDeepMetadataBeforeParkingIt() {
    send("d", "{\"id\":\"d\",\"text\":\"deep\",\"m\":" + "[".repeat(100) + "1" + "]".repeat(100) + "}");
    assertThat(pending.approximateNumEntries()).isZero();
    assertThat(header(deadLetters().get(0), "__streams.errors.message")).contains("record.metadata.max.depth");
  }

  /**
   * The flush interval is a linger from the oldest pending write. A tick that flushed whatever was pending turned a
   * backlog into one-record batches: after a flush slower than the interval the next tick is due at once and finds
   * the one record Kafka Streams processed in between.
   */
  @Test
  void aTickFlushesOnlyWritesThatHaveWaitedTheInterval() {
    var punctuator = context.scheduledPunctuators().get(0).getPunctuator();
    context.setCurrentSystemTimeMs(900);
    send("late", "{\"id\":\"late\",\"text\":\"parked just before a tick\",\"tenant\":\"t1\"}");
    punctuator.punctuate(1000);
    assertThat(store.rows).as("waited 100 of 1000 ms").isEmpty();
    context.setCurrentSystemTimeMs(1500);
    send("later", "{\"id\":\"later\",\"text\":\"joins the same batch\",\"tenant\":\"t1\"}");
    punctuator.punctuate(1750);
    assertThat(store.rows).isEmpty();
    punctuator.punctuate(1900);
    assertThat(store.rows).containsOnlyKeys("late", "later");
    assertThat(pending.approximateNumEntries()).isZero();
  }

  /**
   * A backlog is written a budget at a time, so the stream thread polls in between: the 100,000-record soak's
   * flushes of minutes against a saturated Milvus held threads past max.poll.interval.ms, which dropped them from
   * the group while they still wrote (issue 15). Before the budget one flush wrote all 50.
   */
  @Test
  void aFlushStartsNoBatchAfterItsBudgetAndLeavesTheRestForTheNextTick() {
    init(new IngestSettings("memories", "memories.dlq", 10, 1_000_000, Duration.ofSeconds(1),
        new RetryPolicy(0, Duration.ZERO, Duration.ofSeconds(5)), WriteLimits.defaults(), ChunkSettings.defaults(),
        Duration.ofMillis(100)), new ForwardingStore(store) {
          @Override
          public void upsert(List<StoredMemory> rows) {
            sleep(Duration.ofMillis(200));
            delegate.upsert(rows);
          }
        });
    store.down = true;
    sendFifty(-1);
    assertThat(pending.approximateNumEntries()).isEqualTo(50);
    store.down = false;
    var punctuator = context.scheduledPunctuators().get(0).getPunctuator();
    punctuator.punctuate(Duration.ofSeconds(6).toMillis());
    assertThat(store.rows).as("one 200 ms batch, then over the 100 ms budget").hasSize(10);
    assertThat(pending.approximateNumEntries()).isEqualTo(40);
    punctuator.punctuate(Duration.ofSeconds(6).toMillis() + 250);
    assertThat(store.rows).as("the next tick goes on at once: the rest waited past the interval").hasSize(20);
    for (int tick = 2; tick < 5; tick++) {
      punctuator.punctuate(Duration.ofSeconds(6).toMillis() + 250L * tick);
    }
    assertThat(store.rows).hasSize(50);
    assertThat(pending.approximateNumEntries()).isZero();
  }

  /**
   * The store's link down for three tries (transient "connection refused", no answer to a probe); during the third,
   * {@code duringThirdTry} changes what the thread may do. A fourth try would succeed.
   */
  private static final class DownForThreeTries extends ForwardingStore {
    final AtomicInteger tries = new AtomicInteger();
    private final Runnable duringThirdTry;

    DownForThreeTries(VectorStore delegate, Runnable duringThirdTry) {
      super(delegate);
      this.duringThirdTry = duringThirdTry;
    }

    @Override
    public void upsert(List<StoredMemory> rows) {
      if (tries.incrementAndGet() <= 3) {
        if (tries.get() == 3) {
          duringThirdTry.run();
        }
        throw new TransientStoreException("connection refused", null);
      }
      delegate.upsert(rows);
    }

    @Override
    public boolean answers() {
      return tries.get() > 3;
    }
  }

  /** A processor with batches of 10 and up to 1,000 quick retries, writing through {@link DownForThreeTries}. */
  private DownForThreeTries retryingThrough(Flipped membership, Runnable duringThirdTry) {
    DownForThreeTries link = new DownForThreeTries(store, duringThirdTry);
    init(new IngestSettings("memories", "memories.dlq", 10, 1_000_000, Duration.ofSeconds(1),
        new RetryPolicy(1000, Duration.ofMillis(10), Duration.ofMillis(10)), WriteLimits.defaults()), link,
        membership);
    return link;
  }

  /** A membership the test flips: a member until told otherwise; a close is for good unless told otherwise. */
  private static final class Flipped implements ThreadMembership {
    volatile boolean member = true;
    volatile boolean closingForGood = true;
    volatile boolean polledRecently = true;

    @Override
    public Duration sinceLastPoll() {
      return polledRecently ? Duration.ZERO : Duration.ofDays(1);
    }

    @Override
    public boolean isMember() {
      return member;
    }

    @Override
    public boolean closingForGood() {
      return closingForGood;
    }
  }

  /**
   * A flush retrying through an outage stops sending once its thread may have left the group: the write stays
   * pending (for whoever owns the task now), is neither stored nor settled, and a close for that revocation does
   * not flush it either. Before, the retries went on and wrote after the task's new owner (issue 15's soak).
   */
  @Test
  void aThreadThatMayHaveLeftTheGroupStopsWritingAndLeavesItsPendingWritesForTheNextOwner() {
    Flipped membership = new Flipped();
    DownForThreeTries link = retryingThrough(membership, () -> membership.member = false);
    send("x", "{\"id\":\"x\",\"text\":\"version 1\",\"tenant\":\"t1\"}");
    context.scheduledPunctuators().get(0).getPunctuator().punctuate(Duration.ofSeconds(2).toMillis());
    assertThat(link.tries).as("no try after the third").hasValue(3);
    assertThat(store.rows).isEmpty();
    assertThat(pending.approximateNumEntries()).as("left for the task's next owner").isEqualTo(1);
    assertThat(metrics.ingested()).isZero();

    membership.member = true;
    membership.closingForGood = false;
    processor.close();
    assertThat(store.rows).as("a close for a revocation does not flush").isEmpty();
    membership.closingForGood = true;
    processor.close();
    assertThat(store.rows).as("a close at shutdown does").containsOnlyKeys("x");
  }

  /**
   * A thread runs several tasks' flushes between two polls; once its budget since the poll is spent, no task's
   * flush starts a batch until the thread has polled and committed. Under exactly-once an open transaction older
   * than transaction.timeout.ms is aborted by the broker and the thread fenced (the 100,000-record soak: ten
   * fencings in 20 minutes, InvalidProducerEpochException), though each flush kept to its own budget.
   */
  @Test
  void aFlushStartsNoBatchOnceItsThreadsBudgetSinceThePollIsSpent() {
    Flipped membership = new Flipped();
    init(new IngestSettings("memories", "memories.dlq", 50, 1_000_000, Duration.ofSeconds(1),
        new RetryPolicy(1, Duration.ZERO, Duration.ofSeconds(5)), WriteLimits.defaults()), store, membership);
    membership.polledRecently = false;
    sendFifty(-1);
    var punctuator = context.scheduledPunctuators().get(0).getPunctuator();
    punctuator.punctuate(Duration.ofSeconds(2).toMillis());
    assertThat(store.upsertCalls).as("nothing started: the thread must poll first").hasValue(0);
    assertThat(pending.approximateNumEntries()).isEqualTo(50);
    membership.polledRecently = true; // it polled
    punctuator.punctuate(Duration.ofSeconds(3).toMillis());
    assertThat(store.rows).hasSize(50);
  }

  /**
   * A batch retrying through an outage stops retrying once its thread is twice its flush budget past its poll,
   * while still a member: under exactly-once the retries kept the transaction open past its timeout and got the
   * thread fenced (the 20,000-record soak, right after the Milvus outage). The write stays pending and the next
   * tick, after a poll, writes it. Before, the retries went on within the one flush.
   */
  @Test
  void aBatchRetryingThroughAnOutageStopsOnceItsThreadMustPollAndIsWrittenAtTheNextTick() {
    Flipped membership = new Flipped();
    DownForThreeTries link = retryingThrough(membership, () -> membership.polledRecently = false);
    send("x", "{\"id\":\"x\",\"text\":\"version 1\",\"tenant\":\"t1\"}");
    var punctuator = context.scheduledPunctuators().get(0).getPunctuator();
    punctuator.punctuate(Duration.ofSeconds(2).toMillis());
    assertThat(link.tries).as("no try after the third").hasValue(3);
    assertThat(store.rows).isEmpty();
    assertThat(pending.approximateNumEntries()).isEqualTo(1);
    membership.polledRecently = true; // the thread polled and committed
    punctuator.punctuate(Duration.ofSeconds(2).toMillis() + 250);
    assertThat(store.rows).containsOnlyKeys("x");
    assertThat(pending.approximateNumEntries()).isZero();
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  void shouldKeepEverythingPendingWhileTheStoreIsDownAndWriteItAtTheNextPunctuationAfterTheBackoff() {
    store.down = true;
    sendFifty(-1);
    assertThat(pending.approximateNumEntries()).isEqualTo(50);
    assertThat(deadLetters()).isEmpty();
    store.down = false;
    var punctuator = context.scheduledPunctuators().get(0).getPunctuator();
    punctuator.punctuate(Duration.ofSeconds(4).toMillis());
    assertThat(store.rows).as("still backing off (5 s)").isEmpty();
    punctuator.punctuate(Duration.ofSeconds(6).toMillis());
    assertThat(store.rows).hasSize(50);
    assertThat(pending.approximateNumEntries()).isZero();
  }

  @Test
  void shouldFailTheTaskWhenTheStoreRefusesEveryRowAndKeepTheBatchPending() {
    store.refuses = m -> true;
    assertThatThrownBy(() -> sendFifty(-1)).isInstanceOf(WriterFailedException.class);
    assertThat(pending.approximateNumEntries()).as("replayed after the thread restarts").isEqualTo(50);
    assertThat(deadLetters()).isEmpty();
  }

  // ---- each text is tokenised once: when it is parked

  /**
   * The bundled model, counting per text the tokenizer passes asked of it ({@code countTokens}, {@code passages})
   * and which threads asked, and keeping the passages it cut; passages are embedded as they come, so the engine
   * reads the ids they carry.
   */
  private static final class TokenizerPasses extends ForwardingEmbedder {
    final Map<String, Integer> passes = new ConcurrentHashMap<>();
    final Set<String> threads = ConcurrentHashMap.newKeySet();
    final Set<Passage> cut = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
    final List<Passage> embedded = Collections.synchronizedList(new ArrayList<>());

    TokenizerPasses() {
      super(model);
    }

    @Override
    public int countTokens(String text) {
      counted(text);
      return delegate.countTokens(text);
    }

    @Override
    public List<Passage> passages(String text, int maxTokens, int overlapTokens) {
      counted(text);
      List<Passage> passages = delegate.passages(text, maxTokens, overlapTokens);
      cut.addAll(passages);
      return passages;
    }

    @Override
    public List<float[]> embedPassages(List<Passage> passages) {
      embedded.addAll(passages);
      return delegate.embedPassages(passages);
    }

    private void counted(String text) {
      passes.merge(text, 1, Integer::sum);
      threads.add(Thread.currentThread().getName());
    }
  }

  /**
   * Each text goes through the tokenizer once, on the stream thread when it is parked: that pass counts its tokens
   * for the batch's budget and cuts its passages, whose ids the model then reads. Before, it was tokenised twice:
   * counted when parked, then cut again on the embed thread. Both flush paths; the vectors are the model's for
   * each text.
   */
  @Test
  void eachTextIsTokenisedOnceWhenParkedAndTheModelReadsThoseIds() {
    for (boolean ahead : new boolean[] {false, true}) {
      TokenizerPasses counting = new TokenizerPasses();
      store.rows.clear();
      init(new IngestSettings("memories", "memories.dlq", 50, 1_000_000, Duration.ofSeconds(1),
          new RetryPolicy(1, Duration.ZERO, Duration.ofSeconds(5)), WriteLimits.defaults()).withPrepareAhead(ahead),
          store, ThreadMembership.unbound(), counting);
      // texts of their own per pass: the second would otherwise reuse the vectors the first stored (a replay)
      String path = ahead ? "embedded ahead" : "embedded on the stream thread";
      for (int i = 0; i < 60; i++) {
        sendText("r-" + i, "a memory number " + i + ", " + path);
      }
      tickUntil(() -> store.rows.size() == 60, 1_000, 250);
      assertThat(store.rows).as("prepare-ahead " + ahead).hasSize(60);
      assertThat(counting.passes).as("tokenizer passes per text").hasSize(60).allSatisfy((text, n) ->
          assertThat(n).as(text).isEqualTo(1));
      assertThat(counting.threads).as("all on the stream thread").containsExactly(Thread.currentThread().getName());
      assertThat(counting.embedded).as("passages embedded, " + path).hasSize(60).allSatisfy(p -> {
        assertThat(counting.cut).as("the passage cut when parked").contains(p);
        assertThat(p.tokenCount()).as("carries its ids").isPresent();
      });
      assertVectorIsTheModels("r-3", "a memory number 3, " + path);
      assertVectorIsTheModels("r-55", "a memory number 55, " + path);
    }
  }

  /**
   * What is kept of the texts cut when parked is bounded while the store is down (three batches' token budget; the
   * rest is cut again when its batch is planned), and nothing is left once every write is stored.
   */
  @Test
  void passagesCutWhenParkedAreBoundedWhileTheStoreIsDownAndAllGoOnceWritten() {
    int maxTokens = 40;
    init(new IngestSettings("memories", "memories.dlq", 50, maxTokens, Duration.ofSeconds(1),
        new RetryPolicy(1, Duration.ZERO, Duration.ofSeconds(5)), WriteLimits.defaults()), store);
    store.down = true;
    sendFifty(-1);
    assertThat(pending.approximateNumEntries()).isEqualTo(50);
    assertThat(processor.cutAheadTokens()).isPositive().isLessThanOrEqualTo(3L * maxTokens);
    store.down = false;
    tickUntil(() -> pending.approximateNumEntries() == 0, 10_000, 1_000);
    assertThat(store.rows).hasSize(50);
    assertThat(processor.cutAheadTokens()).as("none left behind").isZero();
    assertVectorIsTheModels("r-0", "row number 0");
    assertVectorIsTheModels("r-49", "row number 49");
  }

  /** The stored vector of {@code id} is the model's for {@code text}, alone (within float rounding of batching). */
  private void assertVectorIsTheModels(String id, String text) {
    float[] expected = model.embedDocuments(List.of(text)).get(0);
    assertThat(store.rows.get(id).vector()).as(id).containsExactly(expected, within(1e-5f));
  }

  // ---- prepare-ahead: the model runs on the embed thread while the stream thread goes on

  /** The bundled model behind a gate: each embedDocuments call waits until the test opens it, and counts. */
  private static final class GatedModel extends ForwardingEmbedder {
    final CountDownLatch open = new CountDownLatch(1);
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger returned = new AtomicInteger();
    /** One 30 s wait for the whole test, so a stream thread stuck on the gate fails the test in 30 s, not per call. */
    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    volatile String callingThread;
    volatile boolean fails;

    GatedModel() {
      super(model);
    }

    @Override
    public List<float[]> embedDocuments(List<String> texts) {
      callingThread = Thread.currentThread().getName();
      calls.incrementAndGet();
      try {
        if (!open.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
          throw new IllegalStateException("the test never opened the gate");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      if (fails) {
        throw new IllegalStateException("the model failed");
      }
      List<float[]> vectors = delegate.embedDocuments(texts);
      returned.incrementAndGet();
      return vectors;
    }
  }

  private static final IngestSettings AHEAD = new IngestSettings("memories", "memories.dlq", 50, 1_000_000,
      Duration.ofSeconds(1), new RetryPolicy(1, Duration.ZERO, Duration.ofSeconds(5)), WriteLimits.defaults())
      .withPrepareAhead(true);

  private GatedModel aheadWith(Flipped membership) {
    GatedModel gated = new GatedModel();
    init(AHEAD, store, membership, gated);
    return gated;
  }

  /** Waits (real time) until the batch in flight is embedded and the next record or tick has stored it. */
  private void tickUntilStored(int rows, long nowMs) {
    tickUntil(() -> store.rows.size() >= rows, nowMs, 0);
  }

  /**
   * Ticks the linger punctuator every 5 ms of real time, at stream time {@code fromMs} advancing {@code stepMs} a
   * tick, until {@code done} holds (at most 30 s).
   */
  private void tickUntil(BooleanSupplier done, long fromMs, long stepMs) {
    tickUntil(context.scheduledPunctuators().get(0).getPunctuator(), done, fromMs, stepMs);
  }

  private static void tickUntil(Punctuator punctuator, BooleanSupplier done, long fromMs, long stepMs) {
    long[] now = {fromMs};
    awaitTrue(done, () -> {
      punctuator.punctuate(now[0]);
      now[0] += stepMs;
    });
  }

  /** Looks every 5 ms of real time, running {@code eachLook} first, until {@code done} holds (at most 30 s). */
  private static void awaitTrue(BooleanSupplier done, Runnable eachLook) {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!done.getAsBoolean() && System.nanoTime() < until) {
      eachLook.run();
      sleep(Duration.ofMillis(5));
    }
  }

  private void sendText(String id, String text) {
    send(id, "{\"id\":\"" + id + "\",\"text\":\"" + text + "\",\"tenant\":\"t1\"}");
  }

  /**
   * A full batch goes to the embed thread and process() returns at once: the stream thread parks the next
   * records while the model runs (before, the flush embedded on the stream thread, which here would wait on the
   * gate for 30 s and fail). The batch is stored, on the stream thread, at the first tick after it is ready.
   */
  @Test
  void aFullBatchIsEmbeddedOnTheEmbedThreadWhileTheStreamThreadGoesOnParking() {
    GatedModel gated = aheadWith(new Flipped());
    sendFifty(-1);
    for (int i = 50; i < 60; i++) {
      sendText("r-" + i, "parked while the model runs " + i);
    }
    awaitTrue(() -> gated.calls.get() > 0, () -> { });
    assertThat(gated.calls).as("the first batch is being embedded").hasValue(1);
    assertThat(gated.callingThread).startsWith("tier0-embed-");
    assertThat(store.rows).isEmpty();
    assertThat(pending.approximateNumEntries()).isEqualTo(60);
    gated.open.countDown();
    tickUntilStored(50, 100);
    assertThat(store.rows).hasSize(50).containsKeys("r-0", "r-49").doesNotContainKeys("r-50", "r-59");
    assertThat(pending.approximateNumEntries()).as("the ten parked since wait for their batch").isEqualTo(10);
    assertThat(metrics.ingested()).isEqualTo(50);
    tickUntilStored(60, 1_200);
    assertThat(store.rows).hasSize(60);
    assertThat(pending.approximateNumEntries()).isZero();
  }

  /**
   * A newer write to a memory whose older version is being embedded is kept and written after it, so the store
   * ends with the newer text; a delete parked meanwhile likewise deletes after the older upsert.
   */
  @Test
  void aWriteParkedWhileItsOlderVersionIsEmbeddedIsWrittenAfterIt() {
    GatedModel gated = aheadWith(new Flipped());
    sendFifty(-1);
    sendText("r-7", "version 2");
    context.setRecordMetadata("memories", 0, offset++);
    processor.process(new Record<>("r-9".getBytes(UTF_8), null, 1000L)); // a tombstone: deletes r-9
    gated.open.countDown();
    tickUntilStored(50, 100);
    assertThat(store.rows.get("r-7").text()).isEqualTo("row number 7");
    assertVectorIsTheModels("r-7", "row number 7");
    assertThat(pending.approximateNumEntries()).as("version 2 and the delete wait").isEqualTo(2);
    tickUntil(() -> pending.approximateNumEntries() == 0, 1_200, 250);
    assertThat(store.rows.get("r-7").text()).isEqualTo("version 2");
    assertVectorIsTheModels("r-7", "version 2"); // its passages, cut when parked, not the older version's
    assertThat(store.rows).doesNotContainKey("r-9").hasSize(49);
    assertThat(processor.cutAheadTokens()).as("no passages left behind").isZero();
    assertThat(pending.approximateNumEntries()).isZero();
  }

  /**
   * A full batch embedded ahead is stored once it is ready, even when no record follows and the flush interval is
   * long: before, it waited for the next linger tick, a quarter of the interval (IngestFaultsIT: 150 s).
   */
  @Test
  void aBatchEmbeddedAheadIsStoredOnceReadyWithoutAnotherRecordOrLingerTick() {
    GatedModel gated = new GatedModel();
    init(new IngestSettings("memories", "memories.dlq", 50, 1_000_000, Duration.ofMinutes(10),
        new RetryPolicy(1, Duration.ZERO, Duration.ofSeconds(5)), WriteLimits.defaults()).withPrepareAhead(true),
        store, new Flipped(), gated);
    sendFifty(-1);
    gated.open.countDown();
    var collect = context.scheduledPunctuators().stream()
        .filter(p -> p.getInterval().compareTo(Duration.ofSeconds(1)) < 0).findFirst().orElseThrow();
    tickUntil(collect.getPunctuator(), () -> store.rows.size() >= 50, 100, 0);
    assertThat(store.rows).hasSize(50);
    assertThat(pending.approximateNumEntries()).isZero();
  }

  /**
   * A write parked while a batch is being embedded waits the flush interval from its own parking, not from the
   * batch's: before, storing the batch handed its older time to the writes waiting after it, and the next batch
   * started at once with whatever had arrived.
   */
  @Test
  void aWriteParkedWhileABatchIsEmbeddedLingersFromItsOwnParking() {
    GatedModel gated = aheadWith(new Flipped());
    var punctuator = context.scheduledPunctuators().get(0).getPunctuator();
    sendText("a", "parked at 0");
    punctuator.punctuate(1_000);
    context.setCurrentSystemTimeMs(1_100);
    sendText("b", "parked at 1100 while a is embedded");
    gated.open.countDown();
    tickUntilStored(1, 1_200);
    assertThat(store.rows).containsOnlyKeys("a");
    punctuator.punctuate(1_500);
    sleep(Duration.ofMillis(300));
    assertThat(gated.calls).as("b has waited 400 of 1000 ms: no batch yet").hasValue(1);
    tickUntilStored(2, 2_100);
    assertThat(store.rows).containsOnlyKeys("a", "b");
  }

  private void awaitModelCalls(GatedModel gated, int returned) {
    awaitTrue(() -> gated.returned.get() >= returned, () -> { });
    sleep(Duration.ofMillis(100)); // prepare() goes on a moment after the model returns
  }

  /**
   * While the store backs off after a batch came back Unavailable, the batch already embedded behind it is not sent
   * either: before, it was stored as soon as it was ready, retries and all, against the store that was down.
   */
  @Test
  void aBatchEmbeddedAheadIsNotSentWhileTheStoreBacksOff() {
    GatedModel gated = aheadWith(new Flipped());
    store.down = true;
    sendFifty(-1);
    for (int i = 50; i < 99; i++) {
      sendText("r-" + i, "parked while the first batch is embedded " + i);
    }
    gated.open.countDown();
    awaitModelCalls(gated, 1);
    sendText("r-99", "the next batch is full: the first is stored (down) and the second starts");
    assertThat(metrics.upsertTimer().count()).as("the first batch's store calls").isEqualTo(1);
    assertThat(pending.approximateNumEntries()).isEqualTo(100);
    awaitModelCalls(gated, 2);
    var punctuator = context.scheduledPunctuators().get(0).getPunctuator();
    punctuator.punctuate(1_000);
    context.scheduledPunctuators().get(1).getPunctuator().punctuate(1_000);
    assertThat(metrics.upsertTimer().count()).as("backing off for 5 s: nothing sent").isEqualTo(1);
    store.down = false;
    tickUntilStored(100, 6_000);
    assertThat(store.rows).hasSize(100);
    assertThat(pending.approximateNumEntries()).isZero();
  }

  /**
   * Once its thread's budget since the last poll is spent, a task does not wait for its batch in flight, even with
   * the next batch full: the thread polls first. Several tasks' batches queue on one embed thread, so waiting could
   * hold the thread away from poll() for several model calls (before: here, until the gate's 30 s timeout).
   */
  @Test
  void aTaskDoesNotWaitForItsBatchInFlightOnceItsThreadMustPoll() {
    Flipped membership = new Flipped();
    GatedModel gated = aheadWith(membership);
    sendFifty(-1);
    membership.polledRecently = false;
    for (int i = 50; i < 100; i++) {
      sendText("r-" + i, "parked while the thread must poll " + i);
    }
    assertThat(pending.approximateNumEntries()).isEqualTo(100);
    assertThat(store.upsertCalls).hasValue(0);
    membership.polledRecently = true; // it polled
    gated.open.countDown();
    tickUntilStored(100, 100);
    assertThat(store.rows).hasSize(100);
    assertThat(pending.approximateNumEntries()).isZero();
  }

  /**
   * A task closed for a revocation while its batch is being embedded writes nothing of it, even once the model
   * is done: the writes stay in the changelog for the task's next owner, who may write newer versions first.
   */
  @Test
  void aTaskClosedForARevocationDropsItsBatchInFlightUnwritten() {
    Flipped membership = new Flipped();
    GatedModel gated = aheadWith(membership);
    sendFifty(-1);
    membership.closingForGood = false;
    processor.close();
    gated.open.countDown();
    sleep(Duration.ofMillis(300));
    assertThat(store.upsertCalls).hasValue(0);
    assertThat(pending.approximateNumEntries()).isEqualTo(50);
  }

  /** A clean shutdown waits for the batch in flight, stores it, and flushes what was parked since. */
  @Test
  void aShutdownStoresTheBatchInFlightAndTheRest() {
    GatedModel gated = aheadWith(new Flipped());
    sendFifty(-1);
    sendText("late", "parked while the model runs");
    gated.open.countDown();
    processor.close();
    assertThat(store.rows).hasSize(51);
    assertThat(pending.approximateNumEntries()).isZero();
  }

  /**
   * The model failing on every text of the batch fails the task at the next record, as it did on the stream
   * thread, and every write stays pending for the restarted thread.
   */
  @Test
  void aModelFailureOnTheEmbedThreadFailsTheTaskAndKeepsTheWritesPending() {
    GatedModel gated = aheadWith(new Flipped());
    gated.fails = true;
    sendFifty(-1);
    gated.open.countDown();
    AtomicInteger sent = new AtomicInteger(50);
    assertThatThrownBy(() -> {
      for (int i = 50; i < 100; i++) {
        sent.incrementAndGet();
        sendText("r-" + i, "parked " + i); // the 100th finds the next batch full and waits for the first
      }
    }).isInstanceOf(WriterFailedException.class);
    assertThat(store.upsertCalls).hasValue(0);
    assertThat(pending.approximateNumEntries()).as("every write parked so far").isEqualTo(sent.get());
    assertThat(pending.get("r-0")).isNotNull();
    assertThat(pending.get("r-49")).isNotNull();
    assertThat(deadLetters()).isEmpty();
  }

  private static String header(CapturedForward<? extends byte[], ? extends byte[]> forward, String name) {
    Header header = forward.record().headers().lastHeader(name);
    return header == null ? null : new String(header.value(), UTF_8);
  }

}
