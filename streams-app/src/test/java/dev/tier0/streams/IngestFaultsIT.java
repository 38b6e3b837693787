package dev.tier0.streams;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tier0.ingest.ForwardingStore;
import dev.tier0.ingest.VectorStore;
import dev.tier0.milvus.Hit;
import dev.tier0.milvus.MemoryStore;
import dev.tier0.milvus.SearchQuery;
import dev.tier0.milvus.StoredMemory;
import dev.tier0.milvus.TransientStoreException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The records that stop a sink (issue 11), through the app with a real broker, Milvus Lite and the real MiniLM:
 * every poison kind the connector dead-letters, the 1e400 record (stored, as "Infinity") and the 990-deep one,
 * each followed by a valid record that must be stored while the stream stays RUNNING; and a row Milvus itself
 * refuses in a 50-row batch. Each test has its own topics, collection and application id.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IngestFaultsIT {
  private static final Duration TIMEOUT = Duration.ofMinutes(3);
  private static final String REASON = "__streams.errors.message";

  private IntegrationStack stack;

  @BeforeAll
  void start() throws Exception {
    stack = new IntegrationStack("ingest-faults-it");
  }

  @AfterAll
  void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  private record Poison(String key, String value, String reason) {}

  @Test
  void shouldDeadLetterEachPoisonRecordWithItsReasonAndStoreTheValidOneAfterIt() throws Exception {
    String topic = "poison-in";
    String dlq = "poison-dlq";
    stack.kafka.createTopics(List.of(new NewTopic(topic, 1, (short) 1), new NewTopic(dlq, 1, (short) 1)));
    Map<String, Object> config = config("tier0-poison", topic, dlq, "poison_it");
    config.put("record.text.max.bytes", "1000");
    List<Poison> poisons = List.of(
        new Poison(null, null, "null value without a key"),
        new Poison("p-missing", "{\"id\":\"p-missing\",\"body\":\"no text here\"}", "missing text field 'text'"),
        new Poison("p-blank", "{\"id\":\"p-blank\",\"text\":\"   \"}", "blank text"),
        new Poison("p-type", "{\"id\":\"p-type\",\"text\":42}", "text field 'text' must be a string"),
        new Poison("p-huge", "{\"id\":\"p-huge\",\"text\":\"" + "x".repeat(1500) + "\"}", "over the cap of 1000"),
        new Poison("p-tenant", "{\"id\":\"p-tenant\",\"text\":\"fine\",\"tenant\":\"no spaces allowed!\"}",
            "invalid tenant"),
        new Poison("p-long-id", "{\"id\":\"" + "k".repeat(600) + "\",\"text\":\"fine\"}", "over the id limit of 512"),
        new Poison("p-surrogate", "{\"id\":\"p-surrogate\",\"text\":\"broken \\ud800 pair\"}",
            "unpaired UTF-16 surrogate"),
        new Poison("p-deep", deep("p-deep", 990), "nests more than 64 levels"));
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    int valid = 0;
    for (Poison poison : poisons) {
      records.add(record(topic, "v-" + valid, "{\"id\":\"v-" + valid + "\",\"text\":\"valid note " + valid
          + "\",\"tenant\":\"t1\"}"));
      valid++;
      records.add(record(topic, poison.key(), poison.value()));
    }
    // valid JSON whose number Jackson reads as Infinity: stored, with the value as a string
    records.add(record(topic, "inf", "{\"id\":\"inf\",\"text\":\"sensor note\",\"tenant\":\"t1\","
        + "\"reading\":1e400,\"low\":-1e400}"));
    records.add(record(topic, "v-last", "{\"id\":\"v-last\",\"text\":\"the last valid note\",\"tenant\":\"t1\"}"));
    int stored = valid + 2;

    try (StreamsApp app = StreamsApp.start(new AppConfig(config));
         MemoryStore store = stack.store("poison_it")) {
      assertThat(app.awaitRunning(Duration.ofSeconds(90))).isTrue();
      produce(records);
      IntegrationStack.await(stored + " memories stored", TIMEOUT, () -> count(store) == stored);
      List<ConsumerRecord<byte[], byte[]>> dead = read(dlq, poisons.size());
      assertThat(dead).hasSize(poisons.size());
      for (int i = 0; i < poisons.size(); i++) {
        Poison poison = poisons.get(i);
        ConsumerRecord<byte[], byte[]> letter = dead.get(i);
        assertThat(letter.key() == null ? null : new String(letter.key(), UTF_8)).isEqualTo(poison.key());
        assertThat(header(letter, REASON)).as("reason for %s", poison.key()).contains(poison.reason());
        if (poison.value() != null) {
          assertThat(new String(letter.value(), UTF_8)).as("the record as read").isEqualTo(poison.value());
        }
      }
      assertThat(app.state()).isEqualTo(KafkaStreams.State.RUNNING);
      Hit inf = hits(store).stream().filter(h -> h.id().equals("inf")).findFirst().orElseThrow();
      assertThat(inf.metadata()).containsEntry("reading", "Infinity").containsEntry("low", "-Infinity");
      assertThat(count(store)).isEqualTo(stored);
    }
  }

  /**
   * The store itself refuses one row of a 50-row batch: with the depth check lifted, Milvus Lite gets the
   * 990-deep record and fails on it. The other 49 are stored, the one is dead-lettered, and a restarted app
   * repeats nothing.
   */
  @Test
  void shouldStoreFortyNineRowsOfABatchWhoseFiftiethTheStoreRefusesAndRepeatNothingAfterARestart()
      throws Exception {
    String topic = "refused-in";
    String dlq = "refused-dlq";
    stack.kafka.createTopics(List.of(new NewTopic(topic, 1, (short) 1), new NewTopic(dlq, 1, (short) 1)));
    Map<String, Object> config = config("tier0-refused", topic, dlq, "refused_it");
    config.put("record.metadata.max.depth", "1000");
    config.put("write.batch.max.records", "50");
    config.put("ingest.flush.interval.ms", "600000");
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      records.add(i == 23 ? record(topic, "deep", deep("deep", 990))
          : record(topic, "r-" + i, "{\"id\":\"r-" + i + "\",\"text\":\"row number " + i + "\",\"tenant\":\"t1\"}"));
    }
    try (MemoryStore store = stack.store("refused_it")) {
      try (StreamsApp app = StreamsApp.start(new AppConfig(config))) {
        assertThat(app.awaitRunning(Duration.ofSeconds(90))).isTrue();
        produce(records);
        IntegrationStack.await("49 memories stored", TIMEOUT, () -> count(store) == 49);
        List<ConsumerRecord<byte[], byte[]>> dead = read(dlq, 1);
        assertThat(dead).singleElement().satisfies(r -> {
          assertThat(new String(r.key(), UTF_8)).isEqualTo("deep");
          assertThat(header(r, REASON)).contains("Milvus fails on this record alone", "maximum recursion depth");
        });
        assertThat(app.state()).isEqualTo(KafkaStreams.State.RUNNING);
        assertThat(app.metrics().ingested()).isEqualTo(49);
      }
      config.put("ingest.flush.interval.ms", "200");
      try (StreamsApp again = StreamsApp.start(new AppConfig(config))) {
        assertThat(again.awaitRunning(Duration.ofSeconds(90))).isTrue();
        produce(List.of(record(topic, "after", "{\"id\":\"after\",\"text\":\"after the restart\",\"tenant\":\"t1\"}")));
        IntegrationStack.await("the record after the restart stored", TIMEOUT, () -> count(store) == 50);
        assertThat(again.metrics().ingested()).as("only the new record written").isEqualTo(1);
        assertThat(again.metrics().rejected()).as("nothing rejected twice").isZero();
      }
      assertThat(read(dlq, 2)).as("one dead letter, not repeated").hasSize(1);
    }
  }

  /**
   * A stream thread retrying a write through an outage of its Milvus link keeps polling, so it never drops out of
   * the group while it still writes. Before the fix its retries (here up to 1,000, 500 ms apart) held it past
   * max.poll.interval.ms: its consumer left the group, its task could move to another instance, and the retry
   * that finally got through wrote an older version over the new owner's (the 100,000-record soak, issue 15). Now
   * it stops sending before the poll interval is up, polls, and tries again: the group keeps its member for the
   * whole 15 s outage and the write lands once the link is back.
   */
  @Test
  void aThreadRetryingThroughAnOutageStaysInTheGroupAndWritesOnceTheLinkIsBack() throws Exception {
    String topic = "left-in";
    String applicationId = "tier0-left";
    stack.kafka.createTopics(List.of(new NewTopic(topic, 1, (short) 1)));
    Map<String, Object> config = config(applicationId, topic, "left-dlq", "left_it");
    config.put("max.poll.interval.ms", "6000");
    config.put("ingest.flush.interval.ms", "200");
    config.put("write.retry.max.retries", "1000");
    config.put("write.retry.backoff.ms", "200");
    config.put("write.retry.backoff.max.ms", "500");
    Cut link = new Cut();
    try (MemoryStore store = stack.store("left_it");
         Admin admin = Admin.create(stack.kafka.adminConfig());
         StreamsApp app = StreamsApp.start(new AppConfig(config), link::over)) {
      assertThat(app.awaitRunning(Duration.ofSeconds(90))).isTrue();
      link.down = true;
      produce(List.of(record(topic, "x", "{\"id\":\"x\",\"text\":\"version 1\",\"tenant\":\"t1\"}")));
      IntegrationStack.await("the write retrying", TIMEOUT, () -> link.refused.get() > 2);
      long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      while (System.nanoTime() < until) {
        assertThat(members(admin, applicationId)).as("members of the ingest group while the link is down")
            .isEqualTo(1);
        Thread.sleep(1000);
      }
      assertThat(link.refused.get()).as("still retrying").isGreaterThan(10);
      link.down = false;
      IntegrationStack.await("version 1 stored once the link is back", TIMEOUT, () -> count(store) == 1);
      assertThat(app.state()).isEqualTo(KafkaStreams.State.RUNNING);
      assertThat(app.metrics().ingested()).isEqualTo(1);
    }
  }

  /**
   * A backlog against a slow Milvus is written at Milvus's pace without failing the task. Before, a poll brought
   * Kafka Streams' 1,000 records; once the thread's flush budget ran out the rest of them were parked, and the
   * pending store outgrew its guard (20 batches) with Milvus up: the task failed, its thread was replaced, restored
   * the same backlog and failed again (the 100,000-record soak ran its streams side at 0-11 records/s that way).
   * Now a poll brings at most one write batch: here 600 records in batches of 10 against 250 ms writes with a 2 s
   * budget, every one stored and no thread replaced.
   */
  @Test
  void aBacklogAgainstASlowStoreIsWrittenAtItsPaceWithoutFailingTheTask() throws Exception {
    String topic = "slow-in";
    stack.kafka.createTopics(List.of(new NewTopic(topic, 1, (short) 1)));
    List<ProducerRecord<byte[], byte[]>> backlog = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      backlog.add(record(topic, "m" + i, "{\"id\":\"m" + i + "\",\"text\":\"memory number " + i
          + "\",\"tenant\":\"t1\"}"));
    }
    produce(backlog);
    Map<String, Object> config = config("tier0-slow", topic, "slow-dlq", "slow_it");
    config.put("write.batch.max.records", "10");
    config.put("max.poll.interval.ms", "8000"); // a flush budget of 2 s
    config.put("ingest.flush.interval.ms", "200");
    try (MemoryStore store = stack.store("slow_it");
         StreamsApp app = StreamsApp.start(new AppConfig(config), target -> new ForwardingStore(target) {
           @Override
           public void upsert(List<StoredMemory> rows) {
             try {
               Thread.sleep(250);
             } catch (InterruptedException e) {
               Thread.currentThread().interrupt();
             }
             delegate.upsert(rows);
           }
         })) {
      assertThat(app.awaitRunning(Duration.ofSeconds(90))).isTrue();
      IntegrationStack.await("the backlog stored", TIMEOUT,
          () -> count(store) == 600 || app.metrics().streamThreadsReplaced() > 0);
      assertThat(app.metrics().streamThreadsReplaced()).as("stream threads failed and replaced").isZero();
      assertThat(count(store)).isEqualTo(600);
    }
  }

  private static int members(Admin admin, String groupId) throws Exception {
    return admin.describeConsumerGroups(List.of(groupId)).all().get(10, TimeUnit.SECONDS).get(groupId).members()
        .size();
  }

  /** The app's own link to Milvus, cut on demand (the rest of the stack stays up). */
  private static final class Cut {
    volatile boolean down;
    final AtomicInteger refused = new AtomicInteger();

    VectorStore over(VectorStore target) {
      return new ForwardingStore(target) {
        @Override
        public void upsert(List<StoredMemory> rows) {
          if (down) {
            refused.incrementAndGet();
            throw new TransientStoreException("connection refused", null);
          }
          delegate.upsert(rows);
        }

        @Override
        public boolean answers() {
          return !down && delegate.answers();
        }
      };
    }
  }

  private Map<String, Object> config(String applicationId, String topic, String dlq, String collection) {
    Map<String, Object> config = stack.appConfig(applicationId);
    config.put("ingest.topic", topic);
    config.put("search.request.topic", "");
    config.put("errors.dead.letter.queue.topic.name", dlq);
    config.put("milvus.collection", collection);
    return config;
  }

  /** {"id": id, "text": "deep", "tenant": "t1", "m": [[[...1...]]]} with {@code depth} arrays. */
  private static String deep(String id, int depth) {
    return "{\"id\":\"" + id + "\",\"text\":\"deep\",\"tenant\":\"t1\",\"m\":" + "[".repeat(depth) + "1"
        + "]".repeat(depth) + "}";
  }

  private static ProducerRecord<byte[], byte[]> record(String topic, String key, String value) {
    return new ProducerRecord<>(topic, key == null ? null : key.getBytes(UTF_8),
        value == null ? null : value.getBytes(UTF_8));
  }

  /** Writes the records; fails on the first the broker did not take. */
  private void produce(List<ProducerRecord<byte[], byte[]>> records) throws Exception {
    Map<String, Object> c = stack.clientConfig();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(c, new ByteArraySerializer(),
        new ByteArraySerializer())) {
      List<Future<RecordMetadata>> sent = records.stream().map(producer::send).toList();
      producer.flush();
      for (Future<RecordMetadata> record : sent) {
        record.get();
      }
    }
  }

  /** Reads the topic from the start until {@code expected} records came or a few quiet seconds passed. */
  private List<ConsumerRecord<byte[], byte[]>> read(String topic, int expected) {
    Map<String, Object> c = new HashMap<>(stack.clientConfig());
    c.put("group.id", "it-reader-" + System.nanoTime());
    c.put("auto.offset.reset", "earliest");
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (records.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(records::add);
      }
    }
    return records;
  }

  private static long count(MemoryStore store) {
    try {
      return store.existingDimension().isPresent() ? store.count() : -1;
    } catch (RuntimeException e) {
      return -1;
    }
  }

  private static List<Hit> hits(MemoryStore store) {
    float[] vector = new float[384];
    Arrays.fill(vector, (float) (1 / Math.sqrt(384)));
    return store.search(new SearchQuery(vector, "t1", 100, Map.of(), 0, null));
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), UTF_8);
  }
}
