package dev.tier0.streams;

import static dev.tier0.streams.IntegrationStack.INGEST;
import static dev.tier0.streams.IntegrationStack.REPLIES;
import static dev.tier0.streams.IntegrationStack.REQUESTS;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tier0.milvus.MemoryStore;
import dev.tier0.streams.search.ReplyHeaders;
import dev.tier0.streams.search.SearchClient;
import dev.tier0.streams.search.SearchReply;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Searches beside ingest (issue 15: the soak measured search p50 31 s under ingest load, because both ran on one
 * stream thread and a search waited for the ingest flush in front of it). Real broker, Milvus Lite and MiniLM:
 * an ingest flush held in its Milvus write must not hold a search back; and during a Milvus outage every request
 * gets exactly one reply, a retriable error, while ingest waits and loses nothing; and an upgrade from the app that
 * ran search in its one group continues where that group stopped. Each test has its own application id and
 * collection.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SearchBesideIngestIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofMinutes(2);

  private IntegrationStack stack;
  private KafkaProducer<byte[], byte[]> producer;

  @BeforeAll
  void start() throws Exception {
    stack = new IntegrationStack("search-beside-ingest-it");
    Map<String, Object> c = stack.clientConfig();
    c.put("linger.ms", 0);
    producer = new KafkaProducer<>(c, new ByteArraySerializer(), new ByteArraySerializer());
  }

  @AfterAll
  void stop() {
    if (producer != null) {
      producer.close();
    }
    if (stack != null) {
      stack.close();
    }
  }

  /**
   * The ingest flush of one record is stopped at its Milvus upsert (after embedding, inside its exactly-once
   * transaction). A search sent then must be answered before that write is let through: the reply's arrival is
   * compared with the gate, not with a clock.
   */
  @Test
  void shouldAnswerASearchWhileAnIngestFlushIsHeldInItsMilvusWrite() throws Exception {
    Map<String, Object> config = stack.appConfig("tier0-beside");
    config.put("processing.guarantee", "exactly_once_v2");
    config.put("milvus.collection", "beside_it");
    config.put("ingest.flush.interval.ms", "100");
    AtomicReference<HeldWrites> held = new AtomicReference<>();
    try (StreamsApp app = StreamsApp.start(new AppConfig(config), store -> {
          held.set(new HeldWrites(store));
          return held.get();
        });
         MemoryStore store = stack.store("beside_it");
         SearchClient client = new SearchClient(stack.clientConfig(), REQUESTS, REPLIES)) {
      try {
        assertThat(app.awaitRunning(Duration.ofSeconds(90))).as("streams reached RUNNING").isTrue();
        String seedText = "the lighthouse keeper logs the evening storm";
        ingest("seed", seedText);
        IntegrationStack.await("the seed memory stored", TIMEOUT, () -> count(store) == 1);

        held.get().arm();
        ingest("held", "a note whose write waits at the gate");
        assertThat(held.get().awaitHeld(TIMEOUT)).as("the ingest flush reached its Milvus write").isTrue();

        SearchReply reply;
        try {
          reply = client.search(SearchClient.Query.of(seedText).tenant("t1"), TIMEOUT);
        } catch (TimeoutException e) {
          throw new AssertionError("no reply while an ingest flush was held: search waits behind ingest", e);
        }
        assertThat(held.get().holding()).as("the reply came while the ingest write was still held").isTrue();
        assertThat(reply).isInstanceOfSatisfying(SearchReply.Hits.class,
            h -> assertThat(h.hits().get(0).id()).isEqualTo("seed"));
        assertThat(count(store)).as("the held record is not written yet").isEqualTo(1);

        held.get().release();
        IntegrationStack.await("the held record stored once let through", TIMEOUT, () -> count(store) == 2);
      } finally {
        if (held.get() != null) {
          held.get().release(); // whatever happened, let the app close
        }
      }
    }
  }

  /**
   * close() gives up waiting while an ingest flush is still held in its Milvus write (as a search or a write against
   * a saturated Milvus is: the 100,000-record soak, issue 15). The model and the Milvus client must stay open until
   * that thread has stopped: the write, let through after close() returned, still lands. Before, they were released
   * at once and that thread's calls failed on closed handles ("this handle ... is closed").
   */
  @Test
  void closeReleasesTheModelAndMilvusOnlyOnceAThreadStillWritingHasStopped() throws Exception {
    String topic = "late-close.memories";
    stack.kafka.createTopics(List.of(new NewTopic(topic, 1, (short) 1)));
    Map<String, Object> config = stack.appConfig("tier0-late-close");
    config.put("ingest.topic", topic);
    config.put("search.request.topic", "");
    config.put("milvus.collection", "late_close_it");
    config.put("ingest.flush.interval.ms", "100");
    AtomicReference<HeldWrites> held = new AtomicReference<>();
    StreamsApp app = StreamsApp.start(new AppConfig(config), store -> {
      held.set(new HeldWrites(store));
      return held.get();
    });
    try (MemoryStore store = stack.store("late_close_it")) {
      assertThat(app.awaitRunning(Duration.ofSeconds(90))).as("streams reached RUNNING").isTrue();
      held.get().arm();
      ingest(topic, "late", "a note whose write is still held when the app closes");
      assertThat(held.get().awaitHeld(TIMEOUT)).as("the ingest flush reached its Milvus write").isTrue();
      app.close(Duration.ofSeconds(1));
      assertThat(held.get().holding()).as("close() returned with the write still held").isTrue();
      assertThat(app.awaitClosed(Duration.ofSeconds(2))).as("model and Milvus client released").isFalse();
      held.get().release();
      assertThat(app.awaitClosed(Duration.ofSeconds(60))).as("released once the thread stopped").isTrue();
      assertThat(count(store)).as("the held write, let through after close() returned").isEqualTo(1);
    } finally {
      held.get().release();
      app.close();
    }
  }

  /**
   * Milvus stops while ingest and search both have work. Every request sent during the outage gets exactly one
   * reply, STORE_UNAVAILABLE marked retriable; the app keeps running; after Milvus is back, search works again
   * and the records that arrived during the outage are stored.
   */
  @Test
  void shouldAnswerEveryRequestOnceWithARetriableErrorDuringAMilvusOutageAndLoseNoIngest() throws Exception {
    int requests = 40;
    int records = 10;
    String memories = "outage.memories";
    String requestTopic = "outage.requests";
    String replyTopic = "outage.replies";
    stack.kafka.createTopics(List.of(new NewTopic(memories, 1, (short) 1), new NewTopic(requestTopic, 1, (short) 1),
        new NewTopic(replyTopic, 1, (short) 1)));
    Map<String, Object> config = stack.appConfig("tier0-outage");
    config.put("ingest.topic", memories);
    config.put("search.request.topic", requestTopic);
    config.put("search.reply.topic", replyTopic);
    config.put("milvus.collection", "outage_it");
    config.put("ingest.flush.interval.ms", "100");
    try (StreamsApp app = StreamsApp.start(new AppConfig(config));
         MemoryStore store = stack.store("outage_it");
         KafkaConsumer<byte[], byte[]> replies = replyConsumer(replyTopic);
         SearchClient client = new SearchClient(stack.clientConfig(), requestTopic, replyTopic)) {
      assertThat(app.awaitRunning(Duration.ofSeconds(90))).as("streams reached RUNNING").isTrue();
      String seedText = "a harbour map drawn before the outage";
      ingest(memories, "before", seedText);
      IntegrationStack.await("the memory before the outage stored", TIMEOUT, () -> count(store) == 1);

      List<byte[]> asked = new ArrayList<>();
      stack.milvus.stop();
      try {
        for (int i = 0; i < records; i++) {
          ingest(memories, "during-" + i, "note number " + i + " written while the store was down");
        }
        for (int i = 0; i < requests; i++) {
          byte[] correlation = uuidBytes();
          asked.add(correlation);
          ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(requestTopic, null,
              ("{\"query\":\"harbour map " + i + "\",\"tenant\":\"t1\"}").getBytes(UTF_8));
          r.headers().add(ReplyHeaders.CORRELATION_ID, correlation);
          r.headers().add(ReplyHeaders.REPLY_TOPIC, replyTopic.getBytes(UTF_8));
          producer.send(r);
        }
        producer.flush();
        Map<ByteBuffer, List<JsonNode>> received = readReplies(replies, asked);
        assertThat(received.keySet()).as("every request answered")
            .containsExactlyInAnyOrderElementsOf(asked.stream().map(ByteBuffer::wrap).toList());
        received.forEach((id, answers) -> {
          assertThat(answers).as("replies to one request").hasSize(1);
          JsonNode error = answers.get(0).get("error");
          assertThat(error).as(answers.get(0).toString()).isNotNull();
          assertThat(error.get("code").asText()).isEqualTo("STORE_UNAVAILABLE");
          assertThat(error.get("retriable").asBoolean()).as("a client can act on it: retry").isTrue();
        });
      } finally {
        stack.milvus.restart(); // whatever happened, the other test gets its store back
      }

      // a fresh connection: the one opened before the outage may sit in gRPC's reconnect backoff
      IntegrationStack.await("the records sent during the outage stored", TIMEOUT, () -> {
        try (MemoryStore after = stack.store("outage_it")) {
          return count(after) == 1 + records;
        } catch (RuntimeException e) {
          return false;
        }
      });
      IntegrationStack.await("search to work again", TIMEOUT, () -> {
        try {
          SearchReply r = client.search(SearchClient.Query.of(seedText).tenant("t1"), Duration.ofSeconds(30));
          return r instanceof SearchReply.Hits h && !h.hits().isEmpty() && h.hits().get(0).id().equals("before");
        } catch (TimeoutException | InterruptedException e) {
          throw new AssertionError(e);
        }
      });
    }
  }

  /**
   * The upgrade: an app that ran search under {@code application.id} had answered the first 3 requests on the topic
   * (its committed offset is 3). The new app's search group starts from there: the 3 are not answered again, the
   * request after them is.
   */
  @Test
  void shouldContinueWhereTheOldGroupStoppedWhenSearchMovesToItsOwnGroup() throws Exception {
    String requests = "upgrade.requests";
    String replies = "upgrade.replies";
    stack.kafka.createTopics(List.of(new NewTopic(requests, 1, (short) 1), new NewTopic(replies, 1, (short) 1)));
    Map<String, Object> config = stack.appConfig("tier0-upgrade");
    config.put("ingest.topic", "");
    config.put("search.request.topic", requests);
    config.put("search.reply.topic", replies);
    config.put("milvus.collection", "upgrade_it");
    List<byte[]> answeredBefore = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      byte[] correlation = uuidBytes();
      answeredBefore.add(correlation);
      ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(requests, null,
          ("{\"query\":\"old request " + i + "\"}").getBytes(UTF_8));
      r.headers().add(ReplyHeaders.CORRELATION_ID, correlation);
      producer.send(r);
    }
    producer.flush();
    TopicPartition partition = new TopicPartition(requests, 0);
    try (Admin admin = Admin.create(stack.kafka.adminConfig())) {
      admin.alterConsumerGroupOffsets("tier0-upgrade", Map.of(partition, new OffsetAndMetadata(3)))
          .all().get(30, TimeUnit.SECONDS);
    }
    try (KafkaConsumer<byte[], byte[]> replyReader = replyConsumer(replies);
         StreamsApp app = StreamsApp.start(new AppConfig(config));
         SearchClient client = new SearchClient(stack.clientConfig(), requests, replies)) {
      assertThat(app.awaitRunning(Duration.ofSeconds(90))).as("streams reached RUNNING").isTrue();
      assertThat(client.search(SearchClient.Query.of("the request after the upgrade"), TIMEOUT))
          .isInstanceOf(SearchReply.Hits.class);
      Map<ByteBuffer, List<JsonNode>> again = readReplies(replyReader, answeredBefore, Duration.ofSeconds(5));
      assertThat(again).as("requests the old group had answered, answered again").isEmpty();
      try (Admin admin = Admin.create(stack.kafka.adminConfig())) {
        IntegrationStack.await("the search group committed past the new request", TIMEOUT, () -> {
          try {
            OffsetAndMetadata committed = admin.listConsumerGroupOffsets("tier0-upgrade-search")
                .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS).get(partition);
            return committed != null && committed.offset() == 4;
          } catch (Exception e) {
            return false;
          }
        });
      }
    }
  }

  private void ingest(String id, String text) {
    ingest(INGEST, id, text);
  }

  private void ingest(String topic, String id, String text) {
    producer.send(new ProducerRecord<>(topic, id.getBytes(UTF_8),
        ("{\"id\":\"" + id + "\",\"text\":\"" + text + "\",\"tenant\":\"t1\"}").getBytes(UTF_8)));
    producer.flush();
  }

  /** Until every request has a reply, then 3 s more, so a duplicate would show up too. */
  private static Map<ByteBuffer, List<JsonNode>> readReplies(KafkaConsumer<byte[], byte[]> replies,
                                                             List<byte[]> asked) throws Exception {
    return readReplies(replies, asked, TIMEOUT);
  }

  /** The replies to these requests, read until all came (then 3 s more) or for at most {@code atMost}. */
  private static Map<ByteBuffer, List<JsonNode>> readReplies(KafkaConsumer<byte[], byte[]> replies,
                                                             List<byte[]> asked, Duration atMost) throws Exception {
    List<ByteBuffer> wanted = asked.stream().map(ByteBuffer::wrap).toList();
    Map<ByteBuffer, List<JsonNode>> received = new HashMap<>();
    long deadline = System.nanoTime() + atMost.toNanos();
    long quietUntil = Long.MAX_VALUE;
    while (System.nanoTime() < Math.min(deadline, quietUntil)) {
      for (ConsumerRecord<byte[], byte[]> r : replies.poll(Duration.ofMillis(200))) {
        var header = r.headers().lastHeader(ReplyHeaders.CORRELATION_ID);
        if (header != null && wanted.contains(ByteBuffer.wrap(header.value()))) {
          received.computeIfAbsent(ByteBuffer.wrap(header.value()), k -> new ArrayList<>())
              .add(JSON.readTree(r.value()));
        }
      }
      if (received.keySet().containsAll(wanted) && quietUntil == Long.MAX_VALUE) {
        quietUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
      }
    }
    return received;
  }

  /** Reads the topic's partition 0 from its end now, read_committed. */
  private KafkaConsumer<byte[], byte[]> replyConsumer(String topic) {
    Map<String, Object> c = stack.clientConfig();
    c.put("isolation.level", "read_committed");
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
    List<TopicPartition> partitions = List.of(new TopicPartition(topic, 0));
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    partitions.forEach(consumer::position);
    return consumer;
  }

  private static long count(MemoryStore store) {
    try {
      return store.existingDimension().isPresent() ? store.count() : -1;
    } catch (RuntimeException e) {
      return -1;
    }
  }

  private static byte[] uuidBytes() {
    UUID u = UUID.randomUUID();
    return ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits()).array();
  }
}
