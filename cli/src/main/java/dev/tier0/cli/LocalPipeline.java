package dev.tier0.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tier0.embed.BundledModel;
import dev.tier0.local.LocalConnect;
import dev.tier0.local.LocalKafka;
import dev.tier0.memory.config.SharedConfig;
import dev.tier0.milvus.MemoryStore;
import dev.tier0.milvus.MilvusConfig;
import dev.tier0.milvus.MilvusLite;
import dev.tier0.streams.AppConfig;
import dev.tier0.streams.search.SearchClient;
import dev.tier0.streams.search.SearchReply;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The embedded default, wired as a user would wire the real thing: Milvus Lite, a KRaft broker, the streams app
 * (search), a Connect worker running the packaged tier0 plugin (ingest). Closes everything in reverse order.
 */
final class LocalPipeline implements AutoCloseable {
  static final String INGEST_TOPIC = "memories";
  static final String DLQ_TOPIC = "memories.dlq";
  static final String REQUEST_TOPIC = "tier0.search.requests";
  static final String REPLY_TOPIC = "tier0.search.replies";
  static final String CONNECTOR = "tier0-memories";
  private static final Duration SEARCH_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration INGEST_TIMEOUT = Duration.ofMinutes(10);

  record Settings(Path dataDir, boolean fresh, Path modelDir, String provider, Path pluginDir) {}

  private final Deque<AutoCloseable> opened = new ArrayDeque<>();
  private final PrintStream out;
  private MilvusLite milvus;
  private LocalKafka kafka;
  private LocalConnect connect;
  private MemoryStore store;
  private SearchClient searchClient;
  private boolean closed;

  private LocalPipeline(PrintStream out) {
    this.out = out;
  }

  static LocalPipeline start(Settings settings, PrintStream out) {
    LocalPipeline pipeline = new LocalPipeline(out);
    try {
      pipeline.startAll(settings);
      return pipeline;
    } catch (RuntimeException | Error e) {
      pipeline.close();
      throw e;
    }
  }

  private void startAll(Settings settings) {
    if (!Files.isDirectory(settings.pluginDir())) {
      throw new IllegalStateException("the connector plugin " + settings.pluginDir()
          + " is missing: build it with ./mvnw -B package -DskipTests (./tier0 does this for you)");
    }
    if (settings.fresh()) {
      deleteRecursively(settings.dataDir());
    }
    Path modelDir = settings.modelDir() != null ? settings.modelDir() : step("Bundled model (all-MiniLM-L6-v2)",
        BundledModel::directory);
    milvus = step("Milvus Lite", () -> open(MilvusLite.start(settings.dataDir().resolve("milvus"))));
    kafka = step("Kafka broker (KRaft)", () -> open(LocalKafka.start(settings.dataDir().resolve("kafka"), 0)));
    kafka.createTopics(INGEST_TOPIC, DLQ_TOPIC, REQUEST_TOPIC, REPLY_TOPIC);
    Map<String, String> shared = new LinkedHashMap<>();
    shared.put(SharedConfig.MODEL_DIR, modelDir.toString());
    shared.put(SharedConfig.MODEL_EXECUTION_PROVIDER, settings.provider());
    shared.put(SharedConfig.MILVUS_URI, milvus.uri());
    shared.put(SharedConfig.MILVUS_COLLECTION, collectionFor(modelDir));
    shared.put(SharedConfig.RECORD_TEXT_FIELD, "text");
    shared.put(SharedConfig.RECORD_ID_STRATEGY, "key");
    shared.put(SharedConfig.RECORD_TENANT_FIELD, "tenant");

    step("Streams app (model load + warm-up)", () -> {
      Map<String, Object> props = new LinkedHashMap<>(shared);
      props.put("application.id", "tier0-local-run");
      props.put("bootstrap.servers", kafka.bootstrapServers());
      props.put(AppConfig.SEARCH_REQUEST_TOPIC, REQUEST_TOPIC);
      props.put(AppConfig.SEARCH_REPLY_TOPIC, REPLY_TOPIC);
      props.put("state.dir", settings.dataDir().resolve("streams").toString());
      return open(StreamsAppProcess.start(props, settings.dataDir(), Duration.ofMinutes(3)));
    });
    connect = step("Connect worker + tier0 sink", () -> {
      LocalConnect worker = open(LocalConnect.start(kafka, List.of(settings.pluginDir())));
      Map<String, String> config = new LinkedHashMap<>(shared);
      config.put("connector.class", "dev.tier0.connect.Tier0SinkConnector");
      config.put("tasks.max", "1");
      config.put("topics", INGEST_TOPIC);
      config.put("errors.tolerance", "all");
      config.put("errors.deadletterqueue.topic.name", DLQ_TOPIC);
      config.put("errors.deadletterqueue.topic.replication.factor", "1");
      config.put("errors.deadletterqueue.context.headers.enable", "true");
      config.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
      config.put("value.converter.schemas.enable", "false");
      worker.createConnector(CONNECTOR, config);
      worker.awaitRunning(CONNECTOR, 1, Duration.ofMinutes(3));
      return worker;
    });
    store = open(MemoryStore.connect(MilvusConfig.builder().uri(milvus.uri())
        .collection(shared.get(SharedConfig.MILVUS_COLLECTION)).build()));
    searchClient = open(new SearchClient(Map.of("bootstrap.servers", kafka.bootstrapServers()), REQUEST_TOPIC,
        REPLY_TOPIC));
  }

  /** Produces the memories through the ingest topic and waits until Milvus holds them all. */
  void ingest(List<JsonNode> memories) {
    List<Ingestor.Outgoing> records = memories.stream().map(m -> Ingestor.fromJson(m, "id")).toList();
    try (ProgressBar produced = new ProgressBar(out, "produce to " + INGEST_TOPIC, records.size())) {
      Ingestor.produce(kafka.bootstrapServers(), INGEST_TOPIC, records, produced);
    }
    long expected = records.stream().map(Ingestor.Outgoing::key).distinct().count();
    long deadline = System.nanoTime() + INGEST_TIMEOUT.toNanos();
    try (ProgressBar stored = new ProgressBar(out, "embedded + stored in Milvus", expected)) {
      long count;
      while ((count = store.count()) < expected) {
        stored.set(count);
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("only " + count + " of " + expected + " memories reached Milvus in "
              + INGEST_TIMEOUT.toMinutes() + " minutes; connector status: " + connect.status(CONNECTOR));
        }
        sleep(250);
      }
      stored.set(count);
    }
  }

  SearchReply search(SearchClient.Query query) throws Exception {
    return searchClient.search(query, SEARCH_TIMEOUT);
  }

  String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  String milvusUri() {
    return milvus.uri();
  }

  String connectRestUrl() {
    return connect.restUrl().toString();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    while (!opened.isEmpty()) {
      AutoCloseable resource = opened.pop();
      try {
        resource.close();
      } catch (Exception e) {
        out.println("warning: closing " + resource.getClass().getSimpleName() + " failed: " + e.getMessage());
      }
    }
  }

  private <T extends AutoCloseable> T open(T resource) {
    opened.push(resource);
    return resource;
  }

  private interface Step<T> {
    T run() throws Exception;
  }

  private <T> T step(String label, Step<T> step) {
    long start = System.nanoTime();
    out.printf(Locale.ROOT, "%-40s ...%n", label);
    try {
      T result = step.run();
      out.printf(Locale.ROOT, "%-40s ready in %.1f s%n", label, (System.nanoTime() - start) / 1e9);
      return result;
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(label + " failed: " + e.getMessage(), e);
    }
  }

  /** One collection per model, so switching --model-dir never meets a collection of another dimension. */
  static String collectionFor(Path modelDir) {
    String name = modelDir.getFileName().toString().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    String collection = "tier0_" + name;
    return collection.length() <= 64 ? collection : collection.substring(0, 64);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }
}
