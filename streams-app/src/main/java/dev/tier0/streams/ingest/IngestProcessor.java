package dev.tier0.streams.ingest;

import dev.tier0.memory.IncomingRecord;
import dev.tier0.memory.MappingResult;
import dev.tier0.memory.MemoryMapper;
import dev.tier0.streams.AppMetrics;
import dev.tier0.streams.Embedder;
import dev.tier0.streams.IndexUnavailableException;
import dev.tier0.streams.IndexedMemory;
import dev.tier0.streams.MemoryIndex;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * flushed to the index by size, token budget or a wall-clock punctuation, and only then removed from the store.
 *
 * <p>Why nothing is lost: Kafka Streams flushes the store's changelog before it commits the input offsets, so a
 * committed offset implies its write is in the changelog; a restarted app restores the store and flushes it. A
 * crash between the index write and the store delete replays the batch, which is harmless (deterministic ids).
 */
public final class IngestProcessor implements Processor<byte[], IngestValue, byte[], byte[]> {
  public static final String STORE = "tier0-ingest-pending";
  public static final String DEAD_LETTER_SINK = "ingest-dead-letters";
  private static final Logger LOG = LoggerFactory.getLogger(IngestProcessor.class);
  /** Pending writes beyond this many batches while the store is down: stop taking more (the thread restarts). */
  private static final int MAX_BACKLOG_BATCHES = 20;

  private final IngestSettings settings;
  private final MemoryMapper mapper;
  private final Embedder embedder;
  private final MemoryIndex index;
  private final AppMetrics metrics;

  private ProcessorContext<byte[], byte[]> context;
  private KeyValueStore<String, PendingWrite> pending;
  private int pendingCount;
  private long pendingTokens;
  private long retryNotBeforeMs;

  public IngestProcessor(IngestSettings settings, MemoryMapper mapper, Embedder embedder, MemoryIndex index,
                         AppMetrics metrics) {
    this.settings = settings;
    this.mapper = mapper;
    this.embedder = embedder;
    this.index = index;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<byte[], byte[]> context) {
    this.context = context;
    this.pending = context.getStateStore(STORE);
    recountPending();
    if (pendingCount > 0) {
      LOG.info("task {}: {} writes restored from the pending store, flushing them at the next punctuation",
          context.taskId(), pendingCount);
    }
    context.schedule(settings.flushInterval(), PunctuationType.WALL_CLOCK_TIME, now -> {
      if (pendingCount > 0 && now >= retryNotBeforeMs) {
        tryFlush(now);
      }
    });
  }

  @Override
  public void process(Record<byte[], IngestValue> record) {
    RecordMetadata source = context.recordMetadata().orElseThrow();
    IngestValue value = record.value();
    IncomingRecord incoming = new IncomingRecord(record.key(), value == null ? null : value.value(), source.topic(),
        source.partition(), source.offset(), record.timestamp(), headers(record.headers()));
    MappingResult result = mapper.map(incoming);
    if (result instanceof MappingResult.Upsert upsert) {
      park(new PendingWrite.Upsert(upsert.memory(), source.topic(), source.partition(), source.offset(),
          record.timestamp()));
      pendingTokens += embedder.countTokens(upsert.memory().text());
    } else if (result instanceof MappingResult.Delete delete) {
      park(new PendingWrite.Delete(delete.id()));
    } else if (result instanceof MappingResult.Rejected rejected) {
      reject(record, incoming, rejected.reason());
    } else if (result instanceof MappingResult.Skipped skipped) {
      metrics.recordSkipped();
      LOG.debug("skipped {}: {}", incoming.coordinates(), skipped.reason());
    }
    if (pendingCount >= settings.maxRecords() || pendingTokens >= settings.maxTokens()) {
      long now = context.currentSystemTimeMs();
      if (now >= retryNotBeforeMs) {
        tryFlush(now);
      }
      if (pendingCount >= settings.maxRecords() * MAX_BACKLOG_BATCHES) {
        // Parking more would grow the store without bound; failing the task replays from the committed offsets.
        throw new StreamsException("memory store unavailable and " + pendingCount + " writes pending in task "
            + context.taskId() + ": not taking more until it is back");
      }
    }
  }

  /** A clean shutdown writes what is pending; if the store is down it stays in the changelog for the next start. */
  @Override
  public void close() {
    if (pendingCount == 0) {
      return;
    }
    try {
      flush();
    } catch (RuntimeException e) {
      LOG.warn("task {}: {} pending writes not flushed at shutdown, kept for the next start: {}", context.taskId(),
          pendingCount, e.toString());
    }
  }

  private void park(PendingWrite write) {
    if (pending.get(write.id()) == null) {
      pendingCount++;
    }
    pending.put(write.id(), write);
  }

  private void tryFlush(long now) {
    try {
      flush();
      retryNotBeforeMs = 0;
    } catch (IndexUnavailableException e) {
      metrics.flushFailed();
      retryNotBeforeMs = now + settings.retryBackoff().toMillis();
      LOG.warn("task {}: memory store unavailable, {} writes stay pending and are retried in {} ms: {}",
          context.taskId(), pendingCount, settings.retryBackoff().toMillis(), e.getMessage());
    }
  }

  /** Writes every pending write to the index, a batch at a time, removing each batch once it is stored. */
  void flush() {
    List<KeyValue<String, PendingWrite>> all = new ArrayList<>();
    try (KeyValueIterator<String, PendingWrite> it = pending.all()) {
      it.forEachRemaining(all::add);
    }
    for (int from = 0; from < all.size(); from += settings.maxRecords()) {
      List<KeyValue<String, PendingWrite>> batch = all.subList(from, Math.min(all.size(), from + settings.maxRecords()));
      write(batch);
      for (KeyValue<String, PendingWrite> entry : batch) {
        pending.delete(entry.key);
      }
      pendingCount = Math.max(0, pendingCount - batch.size());
    }
    pendingCount = 0;
    pendingTokens = 0;
  }

  private void write(List<KeyValue<String, PendingWrite>> batch) {
    List<PendingWrite.Upsert> upserts = new ArrayList<>();
    List<String> deletes = new ArrayList<>();
    for (KeyValue<String, PendingWrite> entry : batch) {
      if (entry.value instanceof PendingWrite.Upsert u) {
        upserts.add(u);
      } else {
        deletes.add(entry.value.id());
      }
    }
    if (!upserts.isEmpty()) {
      long start = System.nanoTime();
      List<float[]> vectors = embedder.embedDocuments(upserts.stream().map(u -> u.memory().text()).toList());
      long embedded = System.nanoTime();
      metrics.embedDocumentsTimer().record(embedded - start);
      List<IndexedMemory> memories = new ArrayList<>(upserts.size());
      for (int i = 0; i < upserts.size(); i++) {
        PendingWrite.Upsert u = upserts.get(i);
        memories.add(new IndexedMemory(u.memory(), vectors.get(i), u.topic(), u.partition(), u.offset(),
            u.timestamp(), embedder.modelName()));
      }
      index.upsert(memories);
      metrics.upsertTimer().record(System.nanoTime() - embedded);
      metrics.recordsIngested(upserts.size());
    }
    if (!deletes.isEmpty()) {
      index.delete(deletes);
      metrics.recordsDeleted(deletes.size());
    }
  }

  private void reject(Record<byte[], IngestValue> record, IncomingRecord incoming, String reason) {
    metrics.recordRejected();
    LOG.warn("rejected {}: {}", incoming.coordinates(), reason);
    if (settings.deadLetterTopic() == null) {
      return;
    }
    Headers headers = new RecordHeaders(record.headers().toArray());
    // The header names of Kafka Streams' own dead-letter records, so one topic reads the same for both causes.
    headers.add("__streams.errors.exception", utf8("dev.tier0.memory.MappingResult.Rejected"));
    headers.add("__streams.errors.message", utf8(reason));
    headers.add("__streams.errors.topic", utf8(incoming.topic()));
    headers.add("__streams.errors.partition", utf8(Integer.toString(incoming.partition())));
    headers.add("__streams.errors.offset", utf8(Long.toString(incoming.offset())));
    byte[] raw = record.value() == null ? null : record.value().raw();
    context.forward(new Record<>(record.key(), raw, record.timestamp(), headers), DEAD_LETTER_SINK);
  }

  private void recountPending() {
    pendingCount = 0;
    pendingTokens = 0;
    try (KeyValueIterator<String, PendingWrite> it = pending.all()) {
      while (it.hasNext()) {
        PendingWrite write = it.next().value;
        pendingCount++;
        if (write instanceof PendingWrite.Upsert u) {
          pendingTokens += embedder.countTokens(u.memory().text());
        }
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
