package dev.tier0.streams;

import dev.tier0.ingest.Embedder;
import dev.tier0.ingest.VectorStore;
import dev.tier0.ingest.RetryPolicy;
import dev.tier0.ingest.WriteLimits;
import dev.tier0.memory.MappingConfig;
import dev.tier0.memory.MemoryMapper;
import dev.tier0.streams.format.WireFormats;
import dev.tier0.streams.ingest.IngestSettings;
import dev.tier0.streams.search.SearchLimits;
import dev.tier0.streams.search.SearchSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/** The app's topology in a TopologyTestDriver, with the real model and an in-memory index. */
final class TopologyHarness implements AutoCloseable {
  static final String INGEST = "memories";
  static final String DEAD_LETTERS = "memories.dlq";
  static final String REQUESTS = "search.requests";
  static final String REPLIES = "search.replies";
  static final String OTHER_REPLIES = "client-7.replies";
  static final Duration FLUSH_INTERVAL = Duration.ofSeconds(1);
  static final Duration RETRY_BACKOFF = Duration.ofSeconds(5);

  final InMemoryIndex index = new InMemoryIndex();
  final AppMetrics metrics = new AppMetrics();
  final TopologyTestDriver driver;
  final TestInputTopic<byte[], byte[]> ingest;
  final TestInputTopic<byte[], byte[]> requests;
  final TestOutputTopic<byte[], byte[]> replies;
  final TestOutputTopic<byte[], byte[]> otherReplies;
  final TestOutputTopic<byte[], byte[]> deadLetters;

  TopologyHarness(Path stateDir, int maxRecords, int maxTokens, int maxBatch, MappingConfig mapping,
                  SearchLimits limits) {
    this(stateDir, maxRecords, maxTokens, maxBatch, mapping, limits, null);
  }

  /** @param store the store the topology writes to and searches (null: {@link #index}, the in-memory one) */
  TopologyHarness(Path stateDir, int maxRecords, int maxTokens, int maxBatch, MappingConfig mapping,
                  SearchLimits limits, VectorStore store) {
    this(stateDir, maxRecords, maxTokens, maxBatch, mapping, limits, store, SearchSettings.DEFAULT_FLUSH_BUDGET);
  }

  /** @param flushBudget how long one search flush keeps starting searches */
  TopologyHarness(Path stateDir, int maxRecords, int maxTokens, int maxBatch, MappingConfig mapping,
                  SearchLimits limits, VectorStore store, Duration flushBudget) {
    this(stateDir, maxRecords, maxTokens, maxBatch, mapping, limits, store, flushBudget, TestModel.embedder(),
        ThreadMembership.unbound());
  }

  /**
   * @param embedder   the model (a test wraps the real one to watch its calls)
   * @param membership what the flushes are told about their thread's poll (the app reads it off the consumer)
   */
  TopologyHarness(Path stateDir, int maxRecords, int maxTokens, int maxBatch, MappingConfig mapping,
                  SearchLimits limits, VectorStore store, Duration flushBudget, Embedder embedder,
                  ThreadMembership membership) {
    IngestSettings ingestSettings = new IngestSettings(INGEST, DEAD_LETTERS, maxRecords, maxTokens, FLUSH_INTERVAL,
        new RetryPolicy(1, Duration.ofMillis(10), RETRY_BACKOFF), WriteLimits.defaults());
    SearchSettings searchSettings = new SearchSettings(REQUESTS, REPLIES, limits, maxBatch, Duration.ofMillis(1), 4,
        Set.of(REPLIES, OTHER_REPLIES)::contains, flushBudget);
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "tier0-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, ReportingDeserializationHandler.class);
    props.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, ReplyProductionHandler.class);
    props.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, DEAD_LETTERS);
    props.put(ReportingDeserializationHandler.METRICS_CONFIG, metrics);
    driver = new TopologyTestDriver(Tier0Topology.build(ingestSettings, new MemoryMapper(mapping), searchSettings,
        embedder, store == null ? index : store, metrics, WireFormats.JSON, membership), props);
    ingest = driver.createInputTopic(INGEST, new ByteArraySerializer(), new ByteArraySerializer());
    requests = driver.createInputTopic(REQUESTS, new ByteArraySerializer(), new ByteArraySerializer());
    replies = driver.createOutputTopic(REPLIES, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    otherReplies = driver.createOutputTopic(OTHER_REPLIES, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    deadLetters = driver.createOutputTopic(DEAD_LETTERS, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  TopologyHarness(Path stateDir) {
    this(stateDir, (VectorStore) null);
  }

  /** The default settings over another store (Milvus Lite in the search ITs). */
  TopologyHarness(Path stateDir, VectorStore store) {
    this(stateDir, store, SearchSettings.DEFAULT_FLUSH_BUDGET);
  }

  /** The default settings over another store, with this search flush budget. */
  TopologyHarness(Path stateDir, VectorStore store, Duration flushBudget) {
    this(stateDir, store, flushBudget, TestModel.embedder(), ThreadMembership.unbound());
  }

  /** The same, with this model and what the flushes are told about their thread's poll. */
  TopologyHarness(Path stateDir, VectorStore store, Duration flushBudget, Embedder embedder,
                  ThreadMembership membership) {
    this(stateDir, 3, 100_000, 8, MappingConfig.builder().idStrategy(dev.tier0.memory.IdStrategy.FIELD)
        .idField("id").tenantField("tenant").build(), SearchLimits.defaults(), store, flushBudget, embedder,
        membership);
  }

  void tick(Duration d) {
    driver.advanceWallClockTime(d);
  }

  private boolean closed;

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      driver.close();
    }
  }
}
