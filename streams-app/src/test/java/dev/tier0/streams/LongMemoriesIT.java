package dev.tier0.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tier0.ingest.Embedder;
import dev.tier0.milvus.MemoryStore;
import dev.tier0.streams.search.SearchClient;
import dev.tier0.streams.search.SearchHit;
import dev.tier0.streams.search.SearchReply;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Long memories through the real topics (issue 12): a broker, Milvus Lite, the real MiniLM, the search topic. Every
 * write happens after the app was killed (SIGKILL) with the whole batch pending and its offsets committed, and a
 * new instance stored it: the garden-shed key, top_k counting memories, a 10-chunk memory updated to 2 chunks and a
 * tombstone, each checked row by row in Milvus.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LongMemoriesIT {
  private static final String TOPIC = "long-memories";
  private static final String COLLECTION = "long_memories_it";
  private static final Duration TIMEOUT = Duration.ofMinutes(3);
  private IntegrationStack stack;
  private int produced;

  @BeforeAll
  void start() throws Exception {
    stack = new IntegrationStack("long-memories-it");
    stack.kafka.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1)));
  }

  @AfterAll
  void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  private Map<String, Object> config() {
    Map<String, Object> config = stack.appConfig("tier0-long-memories");
    config.put("ingest.topic", TOPIC);
    config.put("milvus.collection", COLLECTION);
    config.put("chunk.max.tokens", "32");
    config.put("chunk.overlap.tokens", "0");
    return config;
  }

  static String filler(int words, long seed) {
    String[] vocab = {"the", "tomatoes", "grew", "tall", "this", "summer", "and", "rain", "came", "often", "in",
        "july", "we", "planted", "beans", "near", "fence", "neighbours", "visited", "for", "tea", "afternoon"};
    Random r = new Random(seed);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < words; i++) {
      sb.append(vocab[r.nextInt(vocab.length)]).append(i % 12 == 11 ? ". " : " ");
    }
    return sb.toString();
  }

  /** Filler the model cuts into exactly {@code chunks} passages of 32 tokens without overlap. */
  static String ofChunks(int chunks) {
    Embedder model = TestModel.embedder();
    for (int words = 5; ; words += 3) {
      String text = filler(words, chunks);
      int n = model.passages(text, 32, 0).size();
      if (n == chunks) {
        return text;
      }
      if (n > chunks) {
        throw new IllegalStateException("no filler of exactly " + chunks + " passages");
      }
    }
  }

  private static String json(String id, String text) {
    return "{\"id\":\"" + id + "\",\"tenant\":\"t1\",\"text\":\"" + text.replace("\"", "\\\"") + "\"}";
  }

  @Test
  void everyWordOfALongMemoryIsSearchableAndUpdatesAndTombstonesActOnTheWholeMemoryAcrossRestarts()
      throws Exception {
    String shed = filler(400, 1)
        + "The spare key to the garden shed is hidden under the blue flower pot by the back door.";
    Map<String, String> first = new LinkedHashMap<>();
    first.put("shed", json("shed", shed));
    first.put("car", json("car", "My car keys are usually on the hook in the hallway."));
    first.put("notes", json("notes", ofChunks(10)));
    for (int m = 0; m < 5; m++) {
      StringBuilder text = new StringBuilder();
      for (int c = 0; c < 20; c++) { // about 15 tokens each: more than 10 passages of 32 tokens
        text.append("Volcano eruption report ").append(m).append('.').append(c)
            .append(": lava flows and ash clouds near the summit crater. ");
      }
      first.put("volcano" + m, json("volcano" + m, text.toString()));
    }

    try (MemoryStore store = stack.store(COLLECTION)) {
      killedWithEverythingPending(first);
      try (StreamsApp app = StreamsApp.start(new AppConfig(config()))) {
        assertThat(app.awaitRunning(Duration.ofSeconds(90))).isTrue();
        IntegrationStack.await("every memory stored after the restart", TIMEOUT,
            () -> chunks(store, "notes") == 10 && chunks(store, "volcano4") >= 10 && chunks(store, "shed") > 1
                && chunks(store, "car") == 1);
        try (SearchClient client = new SearchClient(stack.clientConfig(), IntegrationStack.REQUESTS,
            IntegrationStack.REPLIES)) {
          List<SearchHit> hits = hits(client, "where is the garden shed key hidden", 2);
          assertThat(hits.get(0).id()).isEqualTo("shed");
          assertThat(hits.get(0).passage()).contains("garden shed")
              .isEqualTo(shed.substring(hits.get(0).spanStart(), hits.get(0).spanEnd()));
          assertThat(hits.get(0).text()).isEqualTo(shed);
          assertThat(hits.get(1).id()).isEqualTo("car");

          List<SearchHit> volcanoes = hits(client, "lava flows from the volcano", 3);
          assertThat(volcanoes).hasSize(3);
          assertThat(volcanoes.stream().map(SearchHit::id).distinct()).hasSize(3)
              .allMatch(id -> id.startsWith("volcano"));
        }
      }

      Map<String, String> second = new LinkedHashMap<>();
      second.put("notes", json("notes", ofChunks(2)));
      second.put("shed", null); // tombstone
      killedWithEverythingPending(second);
      try (StreamsApp app = StreamsApp.start(new AppConfig(config()))) {
        assertThat(app.awaitRunning(Duration.ofSeconds(90))).isTrue();
        IntegrationStack.await("the update and the tombstone applied after the restart", TIMEOUT,
            () -> chunks(store, "notes") == 2 && chunks(store, "shed") == 0);
        assertThat(chunks(store, "car")).isEqualTo(1);
        assertThat(chunks(store, "volcano0")).isGreaterThanOrEqualTo(10);
      }
    }
  }

  private static List<SearchHit> hits(SearchClient client, String query, int topK) throws Exception {
    SearchReply reply = client.search(SearchClient.Query.of(query).tenant("t1").topK(topK), Duration.ofSeconds(60));
    assertThat(reply).isInstanceOf(SearchReply.Hits.class);
    return ((SearchReply.Hits) reply).hits();
  }

  /**
   * Runs the app in a child JVM that never flushes on its own, produces the records, waits until their offsets are
   * committed (so they sit only in the pending store) and kills it.
   */
  private void killedWithEverythingPending(Map<String, String> records) throws Exception {
    Map<String, Object> config = config();
    config.put("search.request.topic", "");
    config.put("ingest.batch.max.records", "1000000");
    config.put("ingest.batch.max.tokens", "100000000");
    config.put("ingest.flush.interval.ms", "3600000");
    Path log = stack.workDir.resolve("long-" + produced + ".log");
    Process app = launch(config, log);
    try (Admin admin = Admin.create(stack.kafka.adminConfig());
         KafkaProducer<String, String> producer = new KafkaProducer<>(stack.kafka.producerConfig(),
             new StringSerializer(), new StringSerializer())) {
      records.forEach((key, value) -> producer.send(new ProducerRecord<>(TOPIC, key, value)));
      producer.flush();
      produced += records.size();
      IntegrationStack.await("all input offsets committed", Duration.ofSeconds(120), () -> {
        if (!app.isAlive()) {
          throw new AssertionError("the app died on its own (exit " + app.exitValue() + "), see " + log);
        }
        return committed(admin, config.get("application.id").toString()) == produced;
      });
    } finally {
      app.destroyForcibly();
      assertThat(app.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
  }

  private static long chunks(MemoryStore store, String memoryId) {
    try {
      return store.existingDimension().isPresent() ? store.countChunks(memoryId) : -1;
    } catch (RuntimeException e) {
      return -1;
    }
  }

  private static long committed(Admin admin, String groupId) {
    try {
      Map<?, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(groupId)
          .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
      return offsets.values().stream().filter(o -> o != null).mapToLong(OffsetAndMetadata::offset).sum();
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** The app's own main in a child JVM, so it can be killed for real. */
  private static Process launch(Map<String, Object> config, Path log) throws IOException {
    Path file = log.resolveSibling(log.getFileName() + ".properties");
    Properties props = new Properties();
    config.forEach((k, v) -> props.setProperty(k, v.toString()));
    try (OutputStream out = Files.newOutputStream(file)) {
      props.store(out, "long memories test");
    }
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx768m", "-cp", System.getProperty("java.class.path"), StreamsApp.class.getName(), file.toString()));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }
}
