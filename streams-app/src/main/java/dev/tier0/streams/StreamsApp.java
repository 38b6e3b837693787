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
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tier0 streams app: loads the model, connects the store, runs ingest and search, serves /health and /metrics.
 * {@code main} takes an optional properties file; TIER0_* environment variables override it.
 *
 * <p>Ingest and search run as two Kafka Streams instances in this JVM, sharing the one model and Milvus client:
 * ingest under {@code application.id}, search under {@code <application.id>-search} ({@link
 * AppConfig#searchApplicationId()}). Each has its own stream threads, so a search never waits for an ingest flush
 * (embedding a batch and writing it to Milvus, seconds to minutes under load: issue 15 measured search p50 31 s
 * when both shared one thread). One instance with more threads would not do: Kafka Streams spreads tasks over
 * threads without regard to sub-topology, so a thread can still hold an ingest task and a search task.
 */
public final class StreamsApp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StreamsApp.class);
  /**
   * What model.mode=auto means for this app. Serving search ({@code search.request.topic} set): latency, because
   * queries share the model with ingest and a query is one batch, which throughput mode runs on one thread (single
   * query p50 8.75 against 6.85 ms on MiniLM, quiet 2 cores). Ingest only: throughput, as in the connector, because nothing waits on one
   * batch there and concurrent runs embed more texts a second (bench/README.md, "streams-ingest": 1.06x to 1.34x
   * records/s end to end, by host and load).
   */
  static EngineMode autoMode(AppConfig config) {
    return config.searchRequestTopic() == null ? EngineMode.THROUGHPUT : EngineMode.LATENCY;
  }
  static final String INGEST = "ingest";
  static final String SEARCH = "search";

  private final AppMetrics metrics = new AppMetrics();
  private final EmbeddingEngine engine;
  private final MilvusVectorStore store;
  private final Admin admin;
  /** Null unless a topic format is avro. */
  private final SchemaRegistryClient registry;
  /** "ingest" and/or "search", each side that is configured. */
  private final Map<String, KafkaStreams> instances = new LinkedHashMap<>();
  private final List<CountDownLatch> running = new ArrayList<>();
  private final HealthServer health;
  private final AtomicBoolean closing = new AtomicBoolean();
  /** Counted down once the shared resources are released. */
  private final CountDownLatch closed = new CountDownLatch(1);

  private StreamsApp(AppConfig config, UnaryOperator<VectorStore> ingestIndex) {
    AutoCloseable[] opened = new AutoCloseable[4];
    try {
      engine = SharedModels.acquire(SharedConfig.modelDir(config),
          SharedConfig.engineOptions(config, autoMode(config)));
      opened[0] = engine;
      store = new MilvusVectorStore(SharedConfig.milvusConfig(config), engine.dimension());
      opened[1] = store;
      store.open();
      admin = Admin.create(config.adminProperties());
      opened[2] = admin;
      registry = config.usesSchemaRegistry() ? SchemaRegistryClient.create(config.registryConfig()) : null;
      opened[3] = registry;
      Embedder embedder = new EngineEmbedder(engine);
      WireFormats formats = wireFormats(config, registry);
      MemoryMapper mapper = new MemoryMapper(SharedConfig.mappingConfig(config));
      if (config.ingestSettings() != null) {
        ConsumerMembership membership = new ConsumerMembership(config.maxPollInterval(), config.sessionTimeout());
        Topology ingest = Tier0Topology.build(config.ingestSettings(), mapper, null, embedder,
            ingestIndex.apply(store), metrics, formats, membership);
        LOG.info("ingest topology ({}):\n{}", config.applicationId(), ingest.describe());
        KafkaStreams streams = new KafkaStreams(ingest, config.streamsProperties(metrics));
        membership.bind(streams);
        instances.put(INGEST, streams);
      }
      SearchSettings search = searchSettings(config, new KnownTopics(admin, Duration.ofSeconds(5)));
      if (search != null) {
        ConsumerMembership membership = new ConsumerMembership(config.maxPollInterval(), config.sessionTimeout());
        Topology searchTopology = Tier0Topology.build(null, mapper, search, embedder, store, metrics, formats,
            membership);
        LOG.info("search topology ({}):\n{}", config.searchApplicationId(), searchTopology.describe());
        SearchGroupMigration.carryOver(admin, config.applicationId(), config.searchApplicationId(),
            config.searchRequestTopic(), Duration.ofSeconds(30));
        KafkaStreams streams = new KafkaStreams(searchTopology, config.searchStreamsProperties(metrics));
        membership.bind(streams);
        instances.put(SEARCH, streams);
      }
    } catch (RuntimeException e) {
      instances.values().forEach(s -> s.close(Duration.ZERO));
      closeQuietly(opened);
      throw e;
    }
    instances.forEach(this::watch);
    HealthServer server = null;
    if (config.healthPort() >= 0) {
      try {
        server = new HealthServer(config.healthHost(), config.healthPort(), this::states, metrics);
      } catch (IOException e) {
        instances.values().forEach(s -> s.close(Duration.ZERO));
        closeQuietly(registry, admin, store, engine);
        throw new UncheckedIOException("cannot serve /health on port " + config.healthPort(), e);
      }
    }
    health = server;
  }

  private void watch(String name, KafkaStreams streams) {
    CountDownLatch reached = new CountDownLatch(1);
    running.add(reached);
    streams.setStateListener((now, before) -> {
      LOG.info("{} streams state {} -> {}", name, before, now);
      if (now == KafkaStreams.State.RUNNING) {
        reached.countDown();
      }
    });
    // A stream thread that dies (e.g. the store down for longer than the backlog allows) is replaced; its tasks
    // restart from the committed offsets and the restored pending stores, so nothing is lost.
    streams.setUncaughtExceptionHandler(e -> {
      LOG.error("{} stream thread failed, replacing it", name, e);
      metrics.streamThreadReplaced();
      return StreamThreadExceptionResponse.REPLACE_THREAD;
    });
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

  /**
   * Both sides in one topology, for tests that drive them together in a TopologyTestDriver; the app itself runs
   * each side in its own Kafka Streams instance.
   */
  static Topology topology(AppConfig config, Embedder embedder, VectorStore index, KnownTopics topics,
                           AppMetrics metrics, WireFormats formats) {
    return Tier0Topology.build(config.ingestSettings(), new MemoryMapper(SharedConfig.mappingConfig(config)),
        searchSettings(config, topics), embedder, index, metrics, formats);
  }

  /** Null when search is off. */
  private static SearchSettings searchSettings(AppConfig config, KnownTopics topics) {
    return config.searchRequestTopic() == null ? null
        : new SearchSettings(config.searchRequestTopic(), config.searchReplyTopic(), config.searchLimits(),
            config.searchBatchMaxRequests(), config.searchBatchWindow(), config.searchParallelism(), topics,
            config.searchFlushBudget());
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
    app.instances.values().forEach(KafkaStreams::start);
    LOG.info("tier0 streams app started: {} (model {}, health {})", app.instances.keySet().stream()
            .map(n -> n + " as " + (n.equals(SEARCH) ? config.searchApplicationId() : config.applicationId()))
            .toList(), app.engine.modelName(),
        app.health == null ? "off" : "http://" + config.healthHost() + ":" + app.health.port() + "/health");
    return app;
  }

  /** The readiness signal: true once every streams instance reached RUNNING within the timeout. */
  public boolean awaitRunning(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (CountDownLatch reached : running) {
      if (!reached.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        return false;
      }
    }
    return true;
  }

  /** RUNNING when every instance is; otherwise the state of the one furthest from it (see {@link AppStates}). */
  public KafkaStreams.State state() {
    return AppStates.combined(states());
  }

  /** Each instance's state by name ("ingest", "search"). */
  public Map<String, KafkaStreams.State> states() {
    Map<String, KafkaStreams.State> states = new LinkedHashMap<>();
    instances.forEach((name, streams) -> states.put(name, streams.state()));
    return states;
  }

  public AppMetrics metrics() {
    return metrics;
  }

  /** The health endpoint's port, or -1 when it is off. */
  public int healthPort() {
    return health == null ? -1 : health.port();
  }

  /**
   * Blocks until {@link #close()} has finished: every stream thread stopped and the model, the Milvus client and
   * the endpoint released (which can be after close() returned, see {@link #close(Duration)}).
   */
  public void awaitClosed() throws InterruptedException {
    closed.await();
  }

  /** {@link #awaitClosed()} for at most {@code timeout}; false when it has not finished by then. */
  public boolean awaitClosed(Duration timeout) throws InterruptedException {
    return closed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** How long {@link #close()} waits for the stream threads before it returns. */
  static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

  /**
   * Stops processing (committing what was processed), both instances at once so neither waits for the other's
   * last flush, then releases the store, the model and the endpoint. Waits up to {@link #CLOSE_TIMEOUT}.
   */
  @Override
  public void close() {
    close(CLOSE_TIMEOUT);
  }

  /**
   * {@link #close()} with its own wait. A stream thread still running when the wait is over (blocked in a Milvus
   * call against a saturated server, as in the 100,000-record soak) still uses the model and the Milvus client,
   * so they are released only once every thread has stopped, by a background thread: releasing them at once made
   * that thread's searches fail with "this handle ... is closed" after shutdown had begun.
   */
  void close(Duration timeout) {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    LOG.info("stopping tier0 streams app");
    List<Thread> closing = new ArrayList<>();
    List<String> stillRunning = Collections.synchronizedList(new ArrayList<>());
    instances.forEach((name, streams) -> {
      Thread t = new Thread(() -> {
        if (!streams.close(timeout)) {
          stillRunning.add(name);
        }
      }, "tier0-close-" + name);
      t.start();
      closing.add(t);
    });
    boolean interrupted = false;
    for (Thread t : closing) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        interrupted = true;
        break;
      }
    }
    if (interrupted || !stillRunning.isEmpty()) {
      LOG.warn("{} stream threads still running after {} s: the model and the Milvus client are released when "
          + "they stop", interrupted ? "some" : stillRunning, timeout.toSeconds());
      Thread release = new Thread(() -> {
        instances.values().forEach(KafkaStreams::close);
        releaseResources();
      }, "tier0-release");
      release.setDaemon(true);
      release.start();
    } else {
      releaseResources();
    }
  }

  private void releaseResources() {
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
