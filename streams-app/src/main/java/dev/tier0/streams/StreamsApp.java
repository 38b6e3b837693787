package dev.tier0.streams;

import dev.tier0.embed.EmbeddingEngine;
import dev.tier0.embed.EngineMode;
import dev.tier0.embed.SharedModels;
import dev.tier0.ingest.Embedder;
import dev.tier0.ingest.EngineEmbedder;
import dev.tier0.ingest.MilvusVectorStore;
import dev.tier0.ingest.VectorStore;
import dev.tier0.memory.MemoryMapper;
import dev.tier0.memory.config.SharedConfig;
import dev.tier0.registry.SchemaRegistryClient;
import dev.tier0.streams.format.TopicFormat;
import dev.tier0.streams.format.WireFormats;
import dev.tier0.streams.search.SearchSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tier0 streams app: loads the model, connects the store, runs the topology, serves /health and /metrics.
 * {@code main} takes an optional properties file; TIER0_* environment variables override it.
 */
public final class StreamsApp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StreamsApp.class);
  /**
   * What model.mode=auto means here: search queries share the model with ingest, and a query is one batch, which
   * throughput mode runs on one thread, so the app keeps latency mode unless told otherwise.
   */
  static final EngineMode AUTO_MODE = EngineMode.LATENCY;

  private final AppMetrics metrics = new AppMetrics();
  private final EmbeddingEngine engine;
  private final MilvusVectorStore store;
  private final Admin admin;
  /** Null unless a topic format is avro. */
  private final SchemaRegistryClient registry;
  private final KafkaStreams streams;
  private final HealthServer health;
  private final CountDownLatch running = new CountDownLatch(1);
  private final CountDownLatch closed = new CountDownLatch(1);

  private StreamsApp(AppConfig config, UnaryOperator<VectorStore> ingestIndex) {
    AutoCloseable[] opened = new AutoCloseable[4];
    try {
      engine = SharedModels.acquire(SharedConfig.modelDir(config), SharedConfig.engineOptions(config, AUTO_MODE));
      opened[0] = engine;
      store = new MilvusVectorStore(SharedConfig.milvusConfig(config), engine.dimension());
      opened[1] = store;
      store.open();
      admin = Admin.create(config.adminProperties());
      opened[2] = admin;
      registry = config.usesSchemaRegistry() ? SchemaRegistryClient.create(config.registryConfig()) : null;
      opened[3] = registry;
      Topology topology = topology(config, new EngineEmbedder(engine), ingestIndex.apply(store), store,
          new KnownTopics(admin, Duration.ofSeconds(5)), metrics, wireFormats(config, registry));
      LOG.info("topology:\n{}", topology.describe());
      streams = new KafkaStreams(topology, config.streamsProperties(metrics));
    } catch (RuntimeException e) {
      closeQuietly(opened);
      throw e;
    }
    streams.setStateListener((now, before) -> {
      LOG.info("streams state {} -> {}", before, now);
      if (now == KafkaStreams.State.RUNNING) {
        running.countDown();
      }
    });
    // A stream thread that dies (e.g. the store down for longer than the backlog allows) is replaced; its tasks
    // restart from the committed offsets and the restored pending stores, so nothing is lost.
    streams.setUncaughtExceptionHandler(e -> {
      LOG.error("stream thread failed, replacing it", e);
      return StreamThreadExceptionResponse.REPLACE_THREAD;
    });
    HealthServer server = null;
    if (config.healthPort() >= 0) {
      try {
        server = new HealthServer(config.healthHost(), config.healthPort(), streams::state, metrics);
      } catch (IOException e) {
        closeQuietly(registry, admin, store, engine);
        throw new UncheckedIOException("cannot serve /health on port " + config.healthPort(), e);
      }
    }
    health = server;
  }

  static Topology topology(AppConfig config, Embedder embedder, VectorStore index, KnownTopics topics,
                           AppMetrics metrics) {
    return topology(config, embedder, index, topics, metrics, WireFormats.JSON);
  }

  /**
   * The topic formats' codecs; Avro ones share the one registry client (and its schema cache). The format of a
   * topic that is off does not matter (nor need a registry).
   */
  static WireFormats wireFormats(AppConfig config, SchemaRegistryClient registry) {
    boolean ingest = config.ingestSettings() != null;
    boolean search = config.searchRequestTopic() != null;
    return WireFormats.of(ingest ? config.ingestKeyFormat() : TopicFormat.STRING,
        ingest ? config.ingestFormat() : TopicFormat.JSON, search ? config.searchRequestFormat() : TopicFormat.JSON,
        search ? config.searchReplyFormat() : TopicFormat.JSON, registry, config.searchReplyTopic(),
        config.autoRegisterSchemas(), config.schemaCacheCapacity());
  }

  static Topology topology(AppConfig config, Embedder embedder, VectorStore index, KnownTopics topics,
                           AppMetrics metrics, WireFormats formats) {
    return topology(config, embedder, index, index, topics, metrics, formats);
  }

  private static Topology topology(AppConfig config, Embedder embedder, VectorStore ingestIndex,
                                   VectorStore searchIndex, KnownTopics topics, AppMetrics metrics,
                                   WireFormats formats) {
    SearchSettings search = config.searchRequestTopic() == null ? null
        : new SearchSettings(config.searchRequestTopic(), config.searchReplyTopic(), config.searchLimits(),
            config.searchBatchMaxRequests(), config.searchBatchWindow(), config.searchParallelism(), topics);
    return Tier0Topology.build(config.ingestSettings(), new MemoryMapper(SharedConfig.mappingConfig(config)), search,
        embedder, ingestIndex, searchIndex, metrics, formats);
  }

  /** Loads the model, connects Milvus and starts the streams; returns at once (see {@link #awaitRunning}). */
  public static StreamsApp start(AppConfig config) {
    return start(config, UnaryOperator.identity());
  }

  /**
   * The same, with the store that ingest writes through wrapped (search keeps the plain one): the seam a test uses
   * to hold an ingest flush while it checks that searches are still answered. {@code ingestIndex} gets the app's
   * one Milvus store and returns the one ingest uses.
   */
  static StreamsApp start(AppConfig config, UnaryOperator<VectorStore> ingestIndex) {
    StreamsApp app = new StreamsApp(config, ingestIndex);
    app.streams.start();
    LOG.info("tier0 streams app {} started (model {}, health {})", config.applicationId(), app.engine.modelName(),
        app.health == null ? "off" : "http://" + config.healthHost() + ":" + app.health.port() + "/health");
    return app;
  }

  /** The readiness signal: true once the streams reached RUNNING within the timeout. */
  public boolean awaitRunning(Duration timeout) throws InterruptedException {
    return running.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  public AppMetrics metrics() {
    return metrics;
  }

  /** The health endpoint's port, or -1 when it is off. */
  public int healthPort() {
    return health == null ? -1 : health.port();
  }

  /** Blocks until {@link #close()} has finished. */
  public void awaitClosed() throws InterruptedException {
    closed.await();
  }

  /** Stops processing (committing what was processed), then releases the store, the model and the endpoint. */
  @Override
  public void close() {
    if (closed.getCount() == 0) {
      return;
    }
    LOG.info("stopping tier0 streams app");
    streams.close(Duration.ofSeconds(30));
    closeQuietly(health, registry, admin, store, engine);
    closed.countDown();
    LOG.info("tier0 streams app stopped: {}", metrics.snapshot());
  }

  private static void closeQuietly(AutoCloseable... resources) {
    for (AutoCloseable r : resources) {
      if (r == null) {
        continue;
      }
      try {
        r.close();
      } catch (Exception e) {
        LOG.warn("closing {} failed", r.getClass().getSimpleName(), e);
      }
    }
  }

  public static void main(String[] args) throws InterruptedException {
    if (args.length > 1 || (args.length == 1 && (args[0].equals("-h") || args[0].equals("--help")))) {
      System.err.println("usage: tier0-streams [app.properties]   (TIER0_* environment variables override keys)");
      System.exit(args.length > 1 ? 2 : 0);
    }
    AppConfig config = AppConfig.load(args.length == 1 ? Path.of(args[0]) : null, System.getenv());
    StreamsApp app = start(config);
    Runtime.getRuntime().addShutdownHook(new Thread(app::close, "tier0-shutdown"));
    app.awaitClosed();
  }
}
