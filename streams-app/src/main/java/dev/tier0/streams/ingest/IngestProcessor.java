package dev.tier0.streams.ingest;

import dev.tier0.embed.Passage;
import dev.tier0.ingest.Embedder;
import dev.tier0.ingest.IngestWriter;
import dev.tier0.ingest.Outcome;
import dev.tier0.ingest.PreparedBatch;
import dev.tier0.ingest.Source;
import dev.tier0.ingest.WriteRequest;
import dev.tier0.memory.IncomingRecord;
import dev.tier0.memory.MappingResult;
import dev.tier0.memory.MemoryMapper;
import dev.tier0.streams.AppMetrics;
import dev.tier0.streams.ThreadMembership;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.ToLongFunction;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps each ingest record and parks the resulting write in a changelogged store, keyed by memory id (a later
 * write to the same id replaces an earlier one, which is what applying them in order would do). The batch is
 * flushed through the shared {@link IngestWriter} by size, token budget or a wall-clock punctuation; each entry
 * leaves the store once its outcome is final: stored, deleted, or rejected (then dead-lettered with its reason).
 * Entries the store could not take yet (Unavailable) stay and are retried after a backoff.
 *
 * <p>Why nothing is lost: Kafka Streams flushes the store's changelog before it commits the input offsets, so a
 * committed offset implies its write is in the changelog; a restarted app restores the store and flushes it. A
 * crash between the store write and the pending delete replays the batch, which is harmless (deterministic ids).
 *
 * <p>Why nothing is overwritten by an older version: a flush writes only while its thread is still a member of the
 * group ({@link ThreadMembership}, asked before every store call), stops starting batches after
 * {@link IngestSettings#flushBudget()} so the thread polls in time, and a task closed for a revocation rather than
 * a shutdown does not flush: its pending writes stay in the changelog for the task's next owner.
 *
 * <p>Prepare-ahead ({@link IngestSettings#prepareAhead()}): a due batch is embedded on the stream thread's embed
 * thread ({@link EmbedThreads}) while this thread goes on parking records, and stored here, on the stream thread,
 * at the first {@code process()} or tick that finds it ready (or that finds the next batch full: then it waits
 * for it). So the model runs while the stream thread parses, parks and stores instead of after it. What holds
 * still holds: its writes stay in the pending store until their outcome is final (a crash replays them); a write
 * parked for the same id while its older version was being embedded is kept and written after it; a task closed
 * for a revocation drops the batch unwritten. One batch per task in flight.
 */
public final class IngestProcessor implements Processor<byte[], IngestValue, byte[], byte[]> {
  public static final String STORE = "tier0-ingest-pending";
  public static final String DEAD_LETTER_SINK = "ingest-dead-letters";
  private static final Logger LOG = LoggerFactory.getLogger(IngestProcessor.class);
  /** Pending writes beyond this many batches while the store is down: stop taking more (the thread restarts). */
  private static final int MAX_BACKLOG_BATCHES = 20;
  /** Ticks per flush interval: a write waits the interval, and at most a quarter of it more. */
  private static final int TICKS_PER_INTERVAL = 4;
  /**
   * Waiting writes' passages are kept for up to this many batches' token budget: the batch being stored, the one
   * being collected, and one more; a write past it is cut when its batch is planned.
   */
  private static final int CUT_AHEAD_BATCHES = 3;
  /** How often prepare-ahead looks whether the batch in flight is embedded (a Future.isDone() per tick). */
  private static final Duration COLLECT_TICK = Duration.ofMillis(20);

  private final IngestSettings settings;
  private final MemoryMapper mapper;
  private final Embedder embedder;
  private final IngestWriter writer;
  private final AppMetrics metrics;
  private final ThreadMembership membership;
  /** Where batches are embedded ahead; null: each flush embeds on the stream thread. */
  private final EmbedThreads embedThreads;

  private ProcessorContext<byte[], byte[]> context;
  private KeyValueStore<String, PendingRecord> pending;
  /** The pending store's ids with their texts' tokens (0 for a delete), so no flush has to count them again. */
  private final Map<String, Integer> parkedTokens = new HashMap<>();
  private long parkedTokenSum;
  /**
   * Waiting writes' passages, cut when they were parked ({@link IngestWriter#cut}): that pass of the tokenizer is
   * what counts their tokens for the budget, and it also gives the ids the model reads, so a batch hands them to the
   * writer and the embed thread does not tokenise its texts again (before, every text was tokenised twice: once
   * here to count, once on the embed thread to cut). Bounded by {@link #CUT_AHEAD_BATCHES}.
   */
  private final Map<String, Cut> parkedPassages = new HashMap<>();
  /** A parked text with its passages; the text is compared again when its batch takes them. */
  private record Cut(String text, List<Passage> passages) {}

  /** The tokens of the writes in {@link #parkedPassages}. */
  private long parkedPassageTokens;
  /** The batch being embedded ahead; null when none. */
  private InFlight inFlight;
  /** The embedded batch being stored, while the next one may already be in flight; null outside advance(). */
  private InFlight storing;
  private long retryNotBeforeMs;
  /** Wall-clock time the oldest waiting write (not in flight) was parked or restored; meaningless while none is. */
  private long oldestParkedMs;

  /**
   * A batch being embedded on the embed thread: its entries as read from the pending store, their tokens, when the
   * oldest of them was parked, and the ids parked again since (a newer write, which stays pending).
   */
  private record InFlight(List<KeyValue<String, PendingRecord>> batch, long tokens, long oldestParkedMs,
                          Set<String> ids, Set<String> replaced, Future<PreparedBatch> prepared) {
    long size() {
      return batch.size();
    }
  }

  /**
   * @param embedder the model, here only to count the tokens of a text whose passages do not carry their count
   * @param writer   embeds and stores each batch
   * @param membership whether this thread still owns its tasks, asked before each write
   */
  public IngestProcessor(IngestSettings settings, MemoryMapper mapper, Embedder embedder, IngestWriter writer,
                         AppMetrics metrics, ThreadMembership membership) {
    this(settings, mapper, embedder, writer, metrics, membership, null);
  }

  /**
   * @param embedThreads where batches are embedded ahead when {@link IngestSettings#prepareAhead()}, shared by the
   *                     topology's tasks; null: flushes embed on the stream thread
   */
  public IngestProcessor(IngestSettings settings, MemoryMapper mapper, Embedder embedder, IngestWriter writer,
                         AppMetrics metrics, ThreadMembership membership, EmbedThreads embedThreads) {
    this.embedThreads = settings.prepareAhead() ? Objects.requireNonNull(embedThreads, "embedThreads")
        : null;
    this.membership = membership;
    this.settings = settings;
    this.mapper = mapper;
    this.embedder = embedder;
    this.writer = writer;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<byte[], byte[]> context) {
    this.context = context;
    this.pending = context.getStateStore(STORE);
    countRestored();
    oldestParkedMs = context.currentSystemTimeMs();
    if (pendingCount() > 0) {
      LOG.info("task {}: {} writes restored from the pending store, flushing them within {}",
          context.taskId(), pendingCount(), settings.flushInterval());
    }
    // The time trigger is a linger, as a producer's linger.ms: it flushes once the OLDEST pending write has waited
    // the flush interval, not at every tick. Flushing whatever is pending at each tick collapsed batches to one
    // record under a backlog: a flush slower than the interval makes the next tick due at once, and Kafka Streams
    // cuts the records processed between punctuations to one per task (numIterations halves after each), so every
    // flush found one new record (the 100k soak: 1-2 records/s, IngestProcessorTest#aTickFlushesOnlyWritesThatHaveWaitedTheInterval).
    long interval = settings.flushInterval().toMillis();
    context.schedule(Duration.ofMillis(Math.max(1, interval / TICKS_PER_INTERVAL)), PunctuationType.WALL_CLOCK_TIME,
        now -> {
          if (embedThreads != null) {
            advance(now);
          } else if (lingered(now)) {
            tryFlush(now);
          }
        });
    if (embedThreads != null) {
      // A batch embedded ahead is stored once it is ready, not at the next record or linger tick: with no record
      // after a full batch, the tick (a quarter of the flush interval) came minutes later (IngestFaultsIT, 150 s).
      context.schedule(COLLECT_TICK, PunctuationType.WALL_CLOCK_TIME, now -> {
        if (inFlight != null && inFlight.prepared().isDone()) {
          advance(now);
        }
      });
    }
  }

  @Override
  public void process(Record<byte[], IngestValue> record) {
    RecordMetadata metadata = context.recordMetadata().orElseThrow();
    IngestValue value = record.value();
    IncomingRecord incoming = new IncomingRecord(record.key(), value == null ? null : value.value(),
        metadata.topic(), metadata.partition(), metadata.offset(), record.timestamp(), headers(record.headers()));
    Source source = new Source(metadata.topic(), metadata.partition(), metadata.offset(), record.timestamp());
    MappingResult result = mapper.map(incoming);
    WriteRequest request = WriteRequest.of(result, source);
    if (result instanceof MappingResult.Rejected rejected) {
      deadLetter(raw(record, null), source, rejected.reason());
    } else if (result instanceof MappingResult.Skipped skipped) {
      metrics.recordSkipped();
      LOG.debug("skipped {}: {}", incoming.coordinates(), skipped.reason());
    }
    if (request != null) {
      // Refused now, while the record is at hand, rather than parked: also keeps what the changelog's JSON
      // could not hold (metadata nested past Jackson's limits) out of the store.
      Outcome.Rejected refusal = writer.check(request);
      if (refusal != null) {
        deadLetter(raw(record, request), source, refusal.reason());
      } else {
        park(raw(record, request));
      }
    }
    long now = context.currentSystemTimeMs();
    if (embedThreads != null) {
      advance(now);
    } else if (full() && now >= retryNotBeforeMs) {
      tryFlush(now);
    }
    if (pendingCount() >= settings.maxRecords() * MAX_BACKLOG_BATCHES) {
      // Parking more would grow the store without bound; failing the task replays from the committed offsets.
      throw new StreamsException("memory store unavailable or too slow: " + pendingCount() + " writes pending in "
          + "task " + context.taskId() + ", not taking more until they are written");
    }
  }

  /** Writes in the pending store, those in flight included. */
  private int pendingCount() {
    return parkedTokens.size();
  }

  /** Whether the writes waiting for a batch (not taken by one) make a full one, by records or by tokens. */
  private boolean full() {
    return pendingCount() - taken(InFlight::size) >= settings.maxRecords()
        || parkedTokenSum - taken(InFlight::tokens) >= settings.maxTokens();
  }

  /** Whether the oldest waiting write has waited the flush interval (and no backoff holds the flushes back). */
  private boolean lingered(long now) {
    return pendingCount() > taken(InFlight::size) && now >= retryNotBeforeMs
        && now - oldestParkedMs >= settings.flushInterval().toMillis();
  }

  /** The sum of {@code measure} over the batches that have taken pending writes: in flight, being stored. */
  private long taken(ToLongFunction<InFlight> measure) {
    return (inFlight == null ? 0 : measure.applyAsLong(inFlight)) + (storing == null ? 0 : measure.applyAsLong(storing));
  }

  /**
   * Prepare-ahead's step, at every record and tick. Once the batch in flight is embedded (waited for only when the
   * next batch is already full), the next batch goes to the embed thread first, then this one is stored: the
   * model never waits for the store. A batch starts when it is full or has lingered.
   */
  private void advance(long now) {
    if (inFlight != null) {
      if (now < retryNotBeforeMs || !membership.polledWithin(settings.flushBudget())) {
        // Nothing is stored while the store backs off, nor waited for once the thread's budget since its poll is
        // spent (several tasks' batches queue on one embed thread): it polls first, as a flush over budget did.
        return;
      }
      if (!inFlight.prepared().isDone() && !full()) {
        return;
      }
    }
    storing = inFlight;
    inFlight = null;
    try {
      PreparedBatch prepared = storing == null ? null : embedded(storing);
      if ((full() && now >= retryNotBeforeMs) || lingered(now)) {
        start();
      }
      if (storing != null) {
        settle(store(storing, prepared), now);
      }
    } finally {
      storing = null;
    }
  }

  /**
   * Sends the next batch (up to write.batch.max.records of the pending writes not taken by the batch being stored)
   * to the embed thread, unless this thread must poll first or may have left the group.
   */
  private void start() {
    if (!membership.polledWithin(settings.flushBudget()) || !membership.isMember()) {
      return; // the next tick after the poll starts it
    }
    List<KeyValue<String, PendingRecord>> batch = new ArrayList<>();
    try (KeyValueIterator<String, PendingRecord> it = pending.all()) {
      while (it.hasNext() && batch.size() < settings.maxRecords()) {
        KeyValue<String, PendingRecord> kv = it.next();
        if (storing == null || !storing.ids().contains(kv.key) || storing.replaced().contains(kv.key)) {
          batch.add(kv);
        }
      }
    }
    long tokens = 0;
    Set<String> ids = new HashSet<>();
    for (KeyValue<String, PendingRecord> kv : batch) {
      tokens += parkedTokens.getOrDefault(kv.key, 0);
      ids.add(kv.key);
    }
    List<WriteRequest> requests = requests(batch);
    List<List<Passage>> cut = cut(batch);
    inFlight = new InFlight(batch, tokens, oldestParkedMs, ids, new HashSet<>(),
        embedThreads.submit(() -> writer.prepare(requests, cut)));
  }

  /**
   * The batch's embeddings, waiting for them if need be.
   *
   * @throws RuntimeException what {@link IngestWriter#prepare} threw (the task fails; its writes stay pending)
   */
  private static PreparedBatch embedded(InFlight batch) {
    try {
      return batch.prepared().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StreamsException("interrupted while a batch was being embedded", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException failure) {
        throw failure; // as prepare() on this thread would have thrown
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw new StreamsException(e.getCause());
    }
  }

  /** Stores an embedded batch on this thread; what it leaves pending waits as long as it already has. */
  private Flush store(InFlight batch, PreparedBatch prepared) {
    Flush result = membership.isMember() ? store(batch.batch(), prepared, batch.replaced()) : Flush.NOT_A_MEMBER;
    if (result != Flush.WRITTEN) {
      oldestParkedMs = Math.min(oldestParkedMs, batch.oldestParkedMs());
    }
    return result;
  }

  /**
   * A clean shutdown writes what is pending; if the store is down it stays in the changelog for the next start. A
   * task closed because its partitions were revoked or lost writes nothing: its new owner restores the pending
   * writes, and may already have written newer versions of the same memories.
   */
  @Override
  public void close() {
    boolean forGood = membership.closingForGood();
    if (inFlight != null && !forGood) {
      inFlight.prepared().cancel(false); // nothing of it is written: the task's next owner restores these writes
      inFlight = null;
    }
    if (pendingCount() == 0) {
      return;
    }
    if (!forGood) {
      LOG.info("task {} closed by a rebalance: {} pending writes stay in the changelog for its next owner",
          context.taskId(), pendingCount());
      return;
    }
    try {
      if (inFlight != null) {
        InFlight last = inFlight;
        inFlight = null;
        store(last, embedded(last));
      }
      flush();
    } catch (RuntimeException e) {
      LOG.warn("task {}: {} pending writes not flushed at shutdown, kept for the next start: {}", context.taskId(),
          pendingCount(), e.toString());
    }
  }

  private void park(PendingRecord write) {
    if (pendingCount() == taken(InFlight::size)) {
      oldestParkedMs = context.currentSystemTimeMs(); // the first write waiting for the next batch
    }
    if (inFlight != null && inFlight.ids().contains(write.id())) {
      inFlight.replaced().add(write.id()); // newer than what is being embedded: stays pending after it is stored
    }
    pending.put(write.id(), write);
    counted(write.id(), write.request());
  }

  /**
   * Keeps {@link #parkedTokens} and {@link #parkedPassages} in step with the pending store after a put. Past the
   * bound, or when the text cannot be cut here, its tokens are only counted, as they were before texts were cut at
   * park (a tokenizer failure then fails the task as it did; the writer refuses a text it cannot cut).
   */
  private void counted(String id, WriteRequest request) {
    forgetPassages(id);
    int tokens = 0;
    if (request instanceof WriteRequest.Upsert u) {
      String text = u.memory().text();
      long bound = (long) CUT_AHEAD_BATCHES * settings.maxTokens();
      List<Passage> passages = parkedPassageTokens < bound ? writer.cut(text) : null;
      tokens = passages == null ? embedder.countTokens(text) : tokens(passages, text);
      if (passages != null && parkedPassageTokens + tokens <= bound) {
        parkedPassages.put(id, new Cut(text, passages));
        parkedPassageTokens += tokens;
      }
    }
    Integer before = parkedTokens.put(id, tokens);
    parkedTokenSum += tokens - (before == null ? 0 : before);
  }

  /**
   * The tokens the model reads for a text's passages (each with its special tokens), from the counts they carry;
   * counted again only when one carries none.
   */
  private int tokens(List<Passage> passages, String text) {
    int sum = 0;
    for (Passage p : passages) {
      OptionalInt count = p.tokenCount();
      if (count.isEmpty()) {
        return embedder.countTokens(text);
      }
      sum += count.getAsInt();
    }
    return sum;
  }

  /** Drops the passages kept for {@code id}, before its token count changes or goes. */
  private void forgetPassages(String id) {
    if (parkedPassages.remove(id) != null) {
      parkedPassageTokens -= parkedTokens.get(id);
    }
  }

  /** Tokens of the texts whose passages are kept from their parking (tests: the bound and that none are left). */
  long cutAheadTokens() {
    return parkedPassageTokens;
  }

  /** Removes a settled write from the pending store. */
  private void unpark(String id) {
    pending.delete(id);
    forgetPassages(id);
    Integer tokens = parkedTokens.remove(id);
    parkedTokenSum -= tokens == null ? 0 : tokens;
  }

  private void tryFlush(long now) {
    settle(flush(), now);
  }

  /** What a flush's end means for the next one: a backoff while the store is down. */
  private void settle(Flush flush, long now) {
    switch (flush) {
      case WRITTEN, OVER_BUDGET -> retryNotBeforeMs = 0;
      case UNAVAILABLE -> {
        metrics.flushFailed();
        retryNotBeforeMs = now + settings.retry().maxBackoff().toMillis();
        LOG.warn("task {}: memory store unavailable, {} writes stay pending and are retried in {} ms",
            context.taskId(), pendingCount(), settings.retry().maxBackoff().toMillis());
      }
      case NOT_A_MEMBER -> LOG.warn("task {}: this thread has not polled for most of max.poll.interval.ms and may "
          + "have left the group: {} writes not sent, left to whoever owns the task now", context.taskId(),
          pendingCount());
    }
  }

  /** How a flush ended; every write not settled stays pending. */
  enum Flush {
    /** Every pending write settled. */
    WRITTEN,
    /** The flush budget ran out: the rest waits for the next flush, after the thread has polled. */
    OVER_BUDGET,
    /** The store could not take some writes; retried after a backoff. */
    UNAVAILABLE,
    /** The thread may no longer own the task: nothing more was sent. */
    NOT_A_MEMBER
  }

  /**
   * Writes the pending entries a batch at a time, starting no batch after the flush budget, counted from this
   * flush's start and from the thread's last poll (the first batch runs unless the thread's budget is already
   * spent by other tasks' flushes), or once the thread may have left the group; each leaves the store once its
   * outcome is final.
   */
  Flush flush() {
    if (!membership.polledWithin(settings.flushBudget())) {
      return Flush.OVER_BUDGET; // other tasks' flushes used this thread's time since its poll: poll and commit first
    }
    List<KeyValue<String, PendingRecord>> all = new ArrayList<>();
    try (KeyValueIterator<String, PendingRecord> it = pending.all()) {
      it.forEachRemaining(all::add);
    }
    long deadline = System.nanoTime() + settings.flushBudget().toNanos();
    Flush result = Flush.WRITTEN;
    for (int from = 0; from < all.size() && result == Flush.WRITTEN; from += settings.maxRecords()) {
      if (from > 0 && (System.nanoTime() - deadline >= 0 || !membership.polledWithin(settings.flushBudget()))) {
        result = Flush.OVER_BUDGET;
      } else if (!membership.isMember()) {
        result = Flush.NOT_A_MEMBER;
      } else {
        List<KeyValue<String, PendingRecord>> batch = all.subList(from, Math.min(all.size(),
            from + settings.maxRecords()));
        result = store(batch, writer.prepare(requests(batch), cut(batch)), Set.of());
      }
    }
    return result;
  }

  private static List<WriteRequest> requests(List<KeyValue<String, PendingRecord>> batch) {
    return batch.stream().map(kv -> kv.value.request()).toList();
  }

  /**
   * The batch's passages cut at park, one entry per write (null: not kept, or not of this write's text: the writer
   * cuts it).
   */
  private List<List<Passage>> cut(List<KeyValue<String, PendingRecord>> batch) {
    return batch.stream().map(kv -> {
      Cut cut = parkedPassages.get(kv.key);
      return cut != null && kv.value.request() instanceof WriteRequest.Upsert u
          && cut.text().equals(u.memory().text()) ? cut.passages() : null;
    }).toList();
  }

  /**
   * Stores a prepared batch and takes each write whose outcome is final out of the pending store, except those
   * parked again since the batch was read ({@code replaced}): their newer version waits for the next batch.
   */
  private Flush store(List<KeyValue<String, PendingRecord>> batch, PreparedBatch prepared, Set<String> replaced) {
    try {
      // Retries stop too once the thread is twice its flush budget past its poll: under exactly-once a batch
      // retrying through a 30 s outage kept the transaction open past its timeout and got the thread fenced (the
      // 20,000-record soak, right after the outage). What is left stays pending for the next tick.
      Duration retryWindow = settings.flushBudget().multipliedBy(2);
      writer.store(prepared, request -> membership.isMember() && membership.polledWithin(retryWindow));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StreamsException("interrupted while writing to the memory store", e);
    }
    metrics.embedDocumentsTimer().record(prepared.embedNanos());
    metrics.upsertTimer().record(prepared.storeNanos());
    if (!membership.isMember()) {
      // Left as it is: the pending store's deletes would reach the changelog the task's new owner restores from.
      return Flush.NOT_A_MEMBER;
    }
    List<Outcome> outcomes = prepared.outcomes();
    Flush result = Flush.WRITTEN;
    for (int i = 0; i < outcomes.size(); i++) {
      Outcome outcome = outcomes.get(i);
      PendingRecord entry = batch.get(i).value;
      if (outcome instanceof Outcome.Abandoned) {
        // still a member (checked above): it was the retry window; poll and commit, then try again
        result = result == Flush.UNAVAILABLE ? result : Flush.OVER_BUDGET;
        continue;
      }
      if (outcome instanceof Outcome.Unavailable) {
        result = Flush.UNAVAILABLE;
        continue;
      }
      if (outcome instanceof Outcome.Stored) {
        metrics.recordsIngested(1);
      } else if (outcome instanceof Outcome.Deleted) {
        metrics.recordsDeleted(1);
      } else if (outcome instanceof Outcome.Rejected rejected) {
        deadLetter(entry, entry.request().source(), rejected.reason());
      }
      if (!replaced.contains(batch.get(i).key)) {
        unpark(batch.get(i).key);
      }
    }
    return result;
  }

  /** Counts the rejection and, when a dead-letter topic is set, forwards the record as read with the reason. */
  private void deadLetter(PendingRecord record, Source source, String reason) {
    metrics.recordRejected();
    LOG.warn("rejected {}: {}", source, reason);
    if (settings.deadLetterTopic() == null) {
      return;
    }
    Headers headers = new RecordHeaders();
    record.rawHeaders().forEach(h -> headers.add(h.key(), h.value()));
    // The header names of Kafka Streams' own dead-letter records, so one topic reads the same for both causes.
    headers.add("__streams.errors.exception", utf8("dev.tier0.ingest.Outcome.Rejected"));
    headers.add("__streams.errors.message", utf8(reason));
    headers.add("__streams.errors.topic", utf8(source.topic()));
    headers.add("__streams.errors.partition", utf8(Integer.toString(source.partition())));
    headers.add("__streams.errors.offset", utf8(Long.toString(source.offset())));
    long timestamp = source.timestamp() >= 0 ? source.timestamp() : context.currentSystemTimeMs();
    context.forward(new Record<>(record.rawKey(), record.rawValue(), timestamp, headers), DEAD_LETTER_SINK);
  }

  /** The record as read, with the request it became (null when it became none). */
  private static PendingRecord raw(Record<byte[], IngestValue> record, WriteRequest request) {
    List<PendingRecord.RawHeader> headers = new ArrayList<>();
    for (Header h : record.headers()) {
      headers.add(new PendingRecord.RawHeader(h.key(), h.value()));
    }
    return new PendingRecord(request, record.key(), record.value() == null ? null : record.value().raw(), headers);
  }

  /** Counts what the pending store holds when the task starts (restored from its changelog). */
  private void countRestored() {
    parkedTokens.clear();
    parkedTokenSum = 0;
    parkedPassages.clear();
    parkedPassageTokens = 0;
    try (KeyValueIterator<String, PendingRecord> it = pending.all()) {
      while (it.hasNext()) {
        KeyValue<String, PendingRecord> kv = it.next();
        counted(kv.key, kv.value.request());
      }
    }
  }

  private static Map<String, byte[]> headers(Headers headers) {
    Map<String, byte[]> map = new HashMap<>();
    for (Header h : headers) {
      map.put(h.key(), h.value());
    }
    return map;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
