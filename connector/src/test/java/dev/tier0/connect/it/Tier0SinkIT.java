package dev.tier0.connect.it;

import static dev.tier0.connect.it.SinkStack.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tier0.local.ConnectorStatus;
import dev.tier0.milvus.Hit;
import dev.tier0.milvus.MemoryStore;
import dev.tier0.milvus.MilvusConfig;
import dev.tier0.milvus.SearchQuery;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged plugin in a real Connect worker (found through plugin.path only), a real KRaft broker, Milvus Lite
 * and the real MiniLM weights.
 */
class Tier0SinkIT {
  private static final Duration TIMEOUT = Duration.ofMinutes(4);
  private static final String DLQ_REASON = "__connect.errors.exception.message";
  private static final String DLQ_CLASS = "__connect.errors.exception.class.name";

  @TempDir
  static Path work;
  static SinkStack stack;

  @BeforeAll
  static void start() {
    stack = SinkStack.start(work);
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void shouldReachTheWorkerOnlyThroughPluginPath() {
    assertThatThrownBy(() -> Class.forName(SinkStack.CONNECTOR_CLASS)).isInstanceOf(ClassNotFoundException.class);
    assertThat(stack.connect.rest().connectorPlugins()).contains(SinkStack.CONNECTOR_CLASS);
  }

  @Test
  void shouldHostTheWorkerInAJvmWhoseCommandLineIsAsLongAsARealWorkers() throws Exception {
    // kafka-run-class.sh puts every jar of libs/ on the command line; native code that reads it must cope.
    assertThat(System.getProperty("tier0.it.worker.classpath", "")).hasSizeGreaterThan(5_000);
    Path cmdline = Path.of("/proc/self/cmdline");
    if (java.nio.file.Files.isReadable(cmdline)) {
      assertThat(java.nio.file.Files.readAllBytes(cmdline).length).isGreaterThan(5_000);
    }
  }

  @Test
  void shouldStoreFiveThousandStringJsonAndStructRecordsWithOneModelForTwoTasks() throws Exception {
    String topic = "memories";
    stack.kafka.createTopics(List.of(new NewTopic(topic, 2, (short) 1)));
    int n = 5000;
    List<String> texts = IntStream.range(0, n).mapToObj(Corpus::text).toList();
    List<ProducerRecord<String, String>> records = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      records.add(record(topic, "m-" + i, Corpus.value(i, texts.get(i))));
    }
    stack.produce(topic, records);
    long loadsBefore = PluginJmx.modelLoads();
    long pausesBefore = PluginJmx.sinkMetric("BackpressurePauses");

    stack.connect.createConnector(topic, stack.sinkConfig(topic, "memories_it", 2));
    try {
      stack.connect.awaitRunning(topic, 2, TIMEOUT);
      stack.awaitCount("memories_it", c -> c == n, TIMEOUT);
      stack.awaitCommittedToEnd(topic, topic, TIMEOUT);

      ConnectorStatus status = stack.connect.status(topic);
      assertThat(status.isRunning(2)).as("both tasks still running: %s", status).isTrue();
      assertThat(PluginJmx.modelLoads() - loadsBefore).as("models loaded for two tasks").isEqualTo(1);
      // 5,000 records arrive far faster than MiniLM embeds them: the tasks must have paused, not buffered them all
      assertThat(PluginJmx.sinkMetric("BackpressurePauses") - pausesBefore).isPositive();
      assertThat(stack.count("memories_it")).isEqualTo(n);

      List<Integer> sample = IntStream.range(0, 50).map(k -> k * 97 + 13).boxed().toList();
      List<float[]> queries = SeparateJvmEmbedder.embed(sample.stream().map(texts::get).toList(), 64, true, work)
          .vectors();
      MemoryStore store = stack.store("memories_it");
      for (int k = 0; k < sample.size(); k++) {
        int i = sample.get(k);
        List<Hit> hits = store.search(new SearchQuery(queries.get(k), "default", 3, Map.of(), 0, null));
        assertThat(hits).as("hits for '%s'", texts.get(i)).isNotEmpty();
        Hit top = hits.get(0);
        assertThat(top.id()).as("top hit for '%s' (hits %s)", texts.get(i), hits).isEqualTo("m-" + i);
        assertThat(top.score()).isGreaterThan(0.99f);
        assertThat(top.text()).isEqualTo(texts.get(i));
        if (i % 3 != 0) { // JSON objects and Structs keep their other fields as metadata
          assertThat(top.metadata()).containsEntry("source", i % 3 == 1 ? "json" : "struct");
          assertThat(((Number) top.metadata().get("n")).intValue()).isEqualTo(i);
        }
      }
    } finally {
      stack.connect.deleteConnector(topic);
    }
  }

  @Test
  void shouldDeadLetterEachPoisonRecordWithItsReasonAndStoreTheGoodOnesAroundIt() throws Exception {
    String topic = "poison";
    stack.kafka.createTopics(topic);
    List<Poison> poisons = List.of(
        new Poison(null, null, "null value without a key"),
        new Poison("p-missing", Envelopes.schemaless(Map.of("body", "no text here")), "missing text field 'text'"),
        new Poison("p-blank", Envelopes.schemaless(Map.of("text", "   ")), "blank text"),
        new Poison("p-type", Envelopes.schemaless(Map.of("text", 42)), "text field 'text' must be a string"),
        new Poison("p-utf8", Envelopes.bytes(new byte[] {(byte) 0xC3, (byte) 0x28, 'h', 'i'}), "not valid UTF-8"),
        new Poison("p-huge", Envelopes.string("x".repeat(1500)), "over the cap of 1000"),
        new Poison("p-tenant", Envelopes.schemaless(Map.of("text", "fine text", "tenant", "no spaces allowed!")),
            "invalid tenant"),
        new Poison("k".repeat(600), Envelopes.string("a fine text under a long key"), "over the id limit of 512"),
        new Poison("p-surrogate", "{\"schema\":null,\"payload\":{\"text\":\"broken \\ud800 pair\"}}",
            "unpaired UTF-16 surrogate"));
    List<ProducerRecord<String, String>> records = new ArrayList<>();
    int good = 0;
    for (Poison poison : poisons) {
      records.add(record(topic, "good-" + good, Envelopes.schemaless(Map.of("text", "good note " + good,
          "tenant", "acme"))));
      good++;
      records.add(record(topic, poison.key(), poison.value()));
    }
    records.add(record(topic, "good-" + good, Envelopes.string("the last good note")));
    good++;
    stack.produce(topic, records);

    long rejectedBefore = PluginJmx.sinkMetric("RecordsRejected");
    Map<String, String> config = stack.sinkConfig(topic, "poison_it", 1);
    config.put("record.tenant.field", "tenant");
    config.put("record.text.max.bytes", "1000");
    stack.connect.createConnector(topic, config);
    try {
      int expectedGood = good;
      stack.awaitCount("poison_it", c -> c == expectedGood, TIMEOUT);
      List<ConsumerRecord<String, String>> dead = readTopic(topic + "-dlq", poisons.size());
      assertThat(dead).hasSize(poisons.size());
      for (int i = 0; i < poisons.size(); i++) {
        assertThat(dead.get(i).key()).isEqualTo(poisons.get(i).key());
        assertThat(header(dead.get(i), DLQ_REASON)).as("reason for %s", poisons.get(i).key())
            .contains(poisons.get(i).reason());
        assertThat(header(dead.get(i), DLQ_CLASS)).isEqualTo("dev.tier0.connect.RejectedRecordException");
      }
      stack.awaitCommittedToEnd(topic, topic, TIMEOUT);
      assertThat(stack.connect.status(topic).isRunning(1)).isTrue();
      assertThat(stack.count("poison_it")).isEqualTo(good);
      assertThat(PluginJmx.sinkMetric("RecordsRejected") - rejectedBefore).isEqualTo(poisons.size());
    } finally {
      stack.connect.deleteConnector(topic);
    }
  }

  @Test
  void shouldDeleteOnTombstonesAndChangeNothingWhenRecordsAreDeliveredAgain() throws Exception {
    String topic = "tombstones";
    stack.kafka.createTopics(topic);
    List<ProducerRecord<String, String>> notes = IntStream.range(0, 30)
        .mapToObj(i -> record(topic, "t-" + i, Envelopes.string("tombstone test note number " + i))).toList();
    List<ProducerRecord<String, String>> tombstones = IntStream.range(0, 10)
        .mapToObj(i -> record(topic, "t-" + i, null)).toList();
    stack.produce(topic, notes);
    stack.connect.createConnector(topic, stack.sinkConfig(topic, "tombstones_it", 1));
    try {
      stack.awaitCount("tombstones_it", c -> c == 30, TIMEOUT);
      stack.produce(topic, tombstones);
      stack.awaitCount("tombstones_it", c -> c == 20, TIMEOUT);

      stack.produce(topic, notes);       // the same records delivered again...
      stack.produce(topic, tombstones);  // ...followed by the same deletes
      stack.awaitCommittedToEnd(topic, topic, TIMEOUT);
      assertThat(stack.count("tombstones_it")).isEqualTo(20);
      assertThat(readTopicQuietly(topic + "-dlq")).as("tombstones with keys are not errors").isEmpty();
    } finally {
      stack.connect.deleteConnector(topic);
    }
  }

  @Test
  void shouldLoseNothingWhenTheTaskAndMilvusRestartMidStream() throws Exception {
    String topic = "chaos";
    stack.kafka.createTopics(topic);
    int distinct = 1500;
    List<ProducerRecord<String, String>> records = IntStream.range(0, 2000)
        .mapToObj(i -> record(topic, "c-" + (i % distinct), Corpus.value(i, Corpus.text(i % distinct)))).toList();
    stack.produce(topic, records);
    Map<String, String> config = stack.sinkConfig(topic, "chaos_it", 1);
    config.put("write.retry.max.retries", "2");
    config.put("write.retry.backoff.ms", "100");
    config.put("write.retry.backoff.max.ms", "1000");
    // Calls fail within 2 s while Milvus is down, so the outage runs through the retries to RetriableException.
    config.put("milvus.rpc.timeout.ms", "2000");
    config.put("milvus.connect.timeout.ms", "2000");
    long failuresBefore = PluginJmx.sinkMetric("TransientStoreFailures");
    long retriablesBefore = PluginJmx.sinkMetric("RetriableExceptions");
    stack.connect.createConnector(topic, config);
    try {
      long before = stack.awaitCount("chaos_it", c -> c >= 200, TIMEOUT);
      stack.connect.restartTask(topic, 0);
      long afterRestart = stack.awaitCount("chaos_it", c -> c >= before + 200, TIMEOUT);
      assertThat(afterRestart).isLessThan(distinct).as("the outage must come mid-stream");

      stack.milvus.stop();
      // the outage itself, until the task has run through its retries and reported a RetriableException
      awaitMetric("RetriableExceptions", retriablesBefore);
      assertThat(stack.connect.status(topic).isFailed()).as("an outage delays, it does not fail the task").isFalse();
      stack.milvus.restart();

      stack.awaitCount("chaos_it", c -> c == distinct, TIMEOUT);
      stack.awaitCommittedToEnd(topic, topic, TIMEOUT);
      assertThat(stack.count("chaos_it")).isEqualTo(distinct);
      assertThat(stack.connect.status(topic).isRunning(1)).isTrue();
      assertThat(PluginJmx.sinkMetric("TransientStoreFailures") - failuresBefore).isPositive();
      assertThat(PluginJmx.sinkMetric("RetriableExceptions") - retriablesBefore).isPositive();
    } finally {
      stack.connect.deleteConnector(topic);
    }
  }

  @Test
  void shouldRejectAConfigWhoseModelDoesNotFitTheExistingCollectionOnTheCollectionKey() throws Exception {
    try (MemoryStore store = MemoryStore.connect(MilvusConfig.builder().uri(stack.milvus.uri())
        .collection("eight_dims").build())) {
      store.ensureCollection(8);
    }
    Map<String, String> config = stack.sinkConfig("unused", "eight_dims", 1);
    config.put("name", "eight-dims-check");
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            stack.connect.restUrl().resolve("connector-plugins/Tier0SinkConnector/config/validate"))
        .header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(new ObjectMapper().writeValueAsString(config))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    Map<String, List<String>> errors = new HashMap<>();
    for (JsonNode item : new ObjectMapper().readTree(response.body()).path("configs")) {
      List<String> messages = new ArrayList<>();
      item.path("value").path("errors").forEach(e -> messages.add(e.asText()));
      if (!messages.isEmpty()) {
        errors.put(item.path("value").path("name").asText(), messages);
      }
    }
    assertThat(errors).containsOnlyKeys("milvus.collection");
    assertThat(errors.get("milvus.collection")).singleElement().asString()
        .contains("holds 8-dimensional vectors").contains("produces 384");
  }

  /** Waits until the plugin's counter {@code name} has grown past {@code before}. */
  private static void awaitMetric(String name, long before) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (PluginJmx.sinkMetric(name) <= before) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(name + " still " + PluginJmx.sinkMetric(name) + " after " + TIMEOUT);
      }
      Thread.sleep(100);
    }
  }

  private record Poison(String key, String value, String reason) {}

  private static String header(ConsumerRecord<String, String> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static List<ConsumerRecord<String, String>> readTopic(String topic, int expected) {
    List<ConsumerRecord<String, String>> records = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
        stack.kafka.consumerConfig("it-reader-" + System.nanoTime()))) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (records.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(records::add);
      }
    }
    return records;
  }

  /** Whatever the topic holds within a few seconds (an absent topic holds nothing). */
  private static List<ConsumerRecord<String, String>> readTopicQuietly(String topic) {
    List<ConsumerRecord<String, String>> records = new ArrayList<>();
    Map<String, Object> config = stack.kafka.consumerConfig("it-reader-" + System.nanoTime());
    config.put("allow.auto.create.topics", "false");
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      while (System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(records::add);
      }
    }
    return records;
  }
}
