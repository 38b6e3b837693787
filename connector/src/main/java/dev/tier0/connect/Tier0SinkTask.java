package dev.tier0.connect;

import dev.tier0.embed.EmbeddingEngine;
import dev.tier0.embed.EngineMode;
import dev.tier0.embed.SharedModels;
import dev.tier0.ingest.ChunkSettings;
import dev.tier0.ingest.EngineEmbedder;
import dev.tier0.ingest.IngestWriter;
import dev.tier0.ingest.MilvusVectorStore;
import dev.tier0.ingest.Source;
import dev.tier0.ingest.VectorStore;
import dev.tier0.ingest.WriteLimits;
import dev.tier0.ingest.WriteRequest;
import dev.tier0.memory.IncomingRecord;
import dev.tier0.memory.MappingResult;
import dev.tier0.memory.MemoryMapper;
import dev.tier0.memory.config.SharedConfig;
import dev.tier0.milvus.MilvusConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps records to memories and hands them to the {@link WritePipeline} (which runs the shared
 * {@link IngestWriter}) in batches; commits only offsets whose records are settled (stored, deleted,
 * dead-lettered or skipped). put() never waits for the store: when too many records are in flight it pauses its
 * partitions instead.
 */
public class Tier0SinkTask extends SinkTask {
  private static final Logger LOG = LoggerFactory.getLogger(Tier0SinkTask.class);
  /**
   * What model.mode=auto means here: the connector only ingests, so it runs batches concurrently (bench/run
   * connector and bench/run engine measure the gain; bench/README.md).
   */
  public static final EngineMode AUTO_MODE = EngineMode.THROUGHPUT;
  /** How soon put() runs again while work is in flight, to settle offsets and resume partitions promptly. */
  private static final Duration IN_FLIGHT_POLL = Duration.ofMillis(100);

  private Tier0SinkConnectorConfig config;
  private MemoryMapper mapper;
  private IncomingRecords incoming;
  private BadRecords badRecords;
  private EmbeddingEngine engine;
  private WritePipeline pipeline;
  /** The store given to the constructor (tests), or null: start() opens Milvus. */
  private final VectorStore givenStore;
  private MilvusVectorStore milvus;
  private final DurableOffsets offsets = new DurableOffsets();
  private final Ownership ownership = new Ownership();
  private final List<SinkRecord> buffer = new ArrayList<>();
  private final List<SinkRecord> bufferWriting = new ArrayList<>();
  private final List<WriteRequest> bufferRequests = new ArrayList<>();
  private long bufferStartedNanos;
  private int inFlight;
  private boolean paused;

  /** The task Connect instantiates: it writes to the Milvus its configuration names. */
  public Tier0SinkTask() {
    this(null);
  }

  /**
   * A task that writes to {@code store} instead of opening Milvus (as Kafka's FileStreamSinkTask takes its
   * stream): for tests that need a store failing on demand. The model is still the configured one.
   */
  public Tier0SinkTask(VectorStore store) {
    this.givenStore = store;
  }

  @Override
  public String version() {
    return Version.get();
  }

  @Override
  public void start(Map<String, String> props) {
    config = new Tier0SinkConnectorConfig(props);
    mapper = new MemoryMapper(config.mappingConfig());
    incoming = new IncomingRecords(config.mappingConfig().headerFields());
    badRecords = new BadRecords(errantRecordReporter(), config.toleratesAllErrors());
    ModelLoads.register();
    SinkMetrics.register();
    engine = SharedModels.acquire(SharedConfig.modelDir(config), SharedConfig.engineOptions(config, AUTO_MODE));
    MilvusConfig milvusConfig = SharedConfig.milvusConfig(config);
    int dimension = engine.dimension();
    VectorStore store = givenStore;
    if (store == null) {
      // connects at the first store call (the planner's fingerprint read), so a Milvus that is down delays
      // records, not start()
      milvus = new MilvusVectorStore(milvusConfig, dimension);
      store = milvus;
    }
    IngestWriter writer = new IngestWriter(new EngineEmbedder(engine), store, WriteLimits.from(config),
        config.retryPolicy(), ChunkSettings.from(config));
    pipeline = new WritePipeline(props.getOrDefault("name", "tier0") + "-"
        + props.getOrDefault(Tier0SinkConnector.TASK_INDEX, "0"), writer, config.retryPolicy());
    LOG.info("tier0 sink task started: model {} ({} dims), {}", engine.modelName(), dimension,
        givenStore == null ? milvusConfig : givenStore);
  }

  private ErrantRecordReporter errantRecordReporter() {
    try {
      return context.errantRecordReporter();
    } catch (NoSuchMethodError | NoClassDefFoundError e) {
      return null; // a worker older than Kafka 2.6
    }
  }

  @Override
  public void put(Collection<SinkRecord> records) {
    settleCompleted();
    Throwable unavailable = pipeline.unavailable();
    if (unavailable != null) {
      // The framework keeps these records and offers them again after the timeout: nothing is lost.
      context.timeout(config.retryPolicy().maxBackoff().toMillis());
      SinkMetrics.INSTANCE.retriableExceptions.incrementAndGet();
      throw new RetriableException("Milvus is unavailable; " + inFlight + " records wait to be written", unavailable);
    }
    for (SinkRecord record : records) {
      accept(record);
    }
    if (!buffer.isEmpty() && System.nanoTime() - bufferStartedNanos >= config.writeLinger().toNanos()) {
      seal();
    }
    applyBackpressure();
    if (inFlight > 0) {
      context.timeout(Math.min(IN_FLIGHT_POLL.toMillis(), Math.max(1, config.writeLinger().toMillis())));
    }
  }

  private void accept(SinkRecord record) {
    IncomingRecord source = incoming.from(record);
    MappingResult result = mapper.map(source);
    Source from = new Source(source.topic(), source.partition(), source.offset(), source.timestamp());
    offsets.delivered(new TopicPartition(source.topic(), source.partition()), source.offset());
    WriteRequest request = WriteRequest.of(result, from);
    if (result instanceof MappingResult.Rejected rejected) {
      badRecords.reject(record, rejected.reason(), null);
    } else if (result instanceof MappingResult.Skipped skipped) {
      LOG.trace("skipped {}: {}", source.coordinates(), skipped.reason());
    }
    if (buffer.isEmpty()) {
      bufferStartedNanos = System.nanoTime();
    }
    buffer.add(record);
    if (request != null) {
      bufferWriting.add(record);
      bufferRequests.add(request);
    }
    inFlight++;
    if (buffer.size() >= config.writeBatchMaxRecords()) {
      seal();
    }
  }

  private void seal() {
    pipeline.submit(new Batch(buffer, bufferWriting, bufferRequests, ownership));
    buffer.clear();
    bufferWriting.clear();
    bufferRequests.clear();
  }

  /** Reports what the store or the model refused, then lets the batch's offsets be committed. */
  private void settleCompleted() {
    for (Batch batch : pipeline.completed()) {
      for (Batch.Rejection rejection : batch.rejections()) {
        badRecords.reject(rejection.record(), rejection.reason(), rejection.cause());
      }
      batch.lastOffsets().forEach(offsets::settled);
      inFlight -= batch.size();
    }
    RuntimeException failure = pipeline.failure();
    if (failure != null) {
      throw new ConnectException("the tier0 write pipeline failed: " + failure.getMessage(), failure);
    }
  }

  private void applyBackpressure() {
    int limit = config.maxBufferedRecords();
    if (!paused && inFlight >= limit) {
      paused = true;
      SinkMetrics.INSTANCE.backpressurePauses.incrementAndGet();
      context.pause(context.assignment().toArray(TopicPartition[]::new));
      LOG.debug("{} records in flight: pausing {}", inFlight, context.assignment());
    } else if (paused && inFlight <= limit / 2) {
      paused = false;
      context.resume(context.assignment().toArray(TopicPartition[]::new));
      LOG.debug("{} records in flight: resuming", inFlight);
    }
  }

  @Override
  public Map<TopicPartition, OffsetAndMetadata> preCommit(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
    settleCompleted();
    if (!buffer.isEmpty()) {
      seal();
    }
    // At a task's stop the worker asks about every partition it has held, revoked ones included (its
    // closeAllPartitions); those are another task's to commit now, and the worker would log a WARN for each.
    Map<TopicPartition, OffsetAndMetadata> owned = new HashMap<>(currentOffsets);
    owned.keySet().removeIf(partition -> ownership.generation(partition) == null);
    return offsets.committable(owned);
  }

  @Override
  public void open(Collection<TopicPartition> partitions) {
    ownership.open(partitions);
    if (paused) {
      context.pause(partitions.toArray(TopicPartition[]::new));
    }
  }

  /**
   * The partitions go to another task (or come back to this one under a new generation), which reads them again
   * from the last committed offset: this task's records of them still in flight are abandoned, not written, and
   * its buffered ones dropped.
   */
  @Override
  public void close(Collection<TopicPartition> partitions) {
    ownership.close(partitions);
    offsets.forget(partitions);
    dropBuffered(partitions);
  }

  private void dropBuffered(Collection<TopicPartition> partitions) {
    int before = buffer.size();
    java.util.function.Predicate<SinkRecord> revoked = r -> partitions.contains(Batch.partitionOf(r));
    buffer.removeIf(revoked);
    for (int i = bufferWriting.size() - 1; i >= 0; i--) {
      if (revoked.test(bufferWriting.get(i))) {
        bufferWriting.remove(i);
        bufferRequests.remove(i);
      }
    }
    inFlight -= before - buffer.size();
  }

  /**
   * Fences the writer first (Connect abandons a task that takes longer than task.shutdown.graceful.timeout.ms to
   * stop, and its writer thread may still be retrying a write), then stops the pipeline.
   */
  @Override
  public void stop() {
    ownership.closeAll();
    if (pipeline != null) {
      pipeline.close();
    }
    if (milvus != null) {
      milvus.close();
    }
    if (engine != null) {
      engine.close();
    }
    LOG.info("tier0 sink task stopped");
  }
}
