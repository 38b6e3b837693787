package dev.tier0.connect.it;

import static dev.tier0.connect.it.SinkStack.record;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tier0.milvus.Hit;
import dev.tier0.milvus.SearchQuery;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records that used to stop the connector (issue 11), through the packaged plugin in a real Connect worker, a
 * real broker and Milvus Lite: each is followed by a valid record that must be stored while the task stays
 * RUNNING.
 */
class WriterFaultsIT {
  private static final Duration TIMEOUT = Duration.ofMinutes(4);
  private static final String DLQ_REASON = "__connect.errors.exception.message";

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

  /** 1e400 is valid JSON; JsonConverter reads it as Infinity, which the Milvus row could not encode. */
  @Test
  void shouldStoreARecordWhoseNumberOverflowsToInfinityWithTheValueAsAString() throws Exception {
    String topic = "overflow";
    stack.kafka.createTopics(topic);
    stack.produce(topic, List.of(
        record(topic, "inf", "{\"schema\":null,\"payload\":{\"text\":\"sensor note\",\"tenant\":\"t1\","
            + "\"reading\":1e400,\"low\":-1e400}}"),
        record(topic, "after", Envelopes.schemaless(Map.of("text", "the next note", "tenant", "t1")))));
    Map<String, String> config = stack.sinkConfig(topic, "overflow_it", 1);
    config.put("record.tenant.field", "tenant");
    stack.connect.createConnector(topic, config);
    try {
      stack.awaitCount("overflow_it", c -> c == 2, TIMEOUT);
      stack.awaitCommittedToEnd(topic, topic, TIMEOUT);
      assertThat(stack.connect.status(topic).isRunning(1)).isTrue();
      Hit inf = hits("overflow_it", "t1").stream().filter(h -> h.id().equals("inf")).findFirst().orElseThrow();
      assertThat(inf.metadata()).containsEntry("reading", "Infinity").containsEntry("low", "-Infinity");
      assertThat(readTopic(topic + "-dlq", 0, Duration.ofSeconds(3))).isEmpty();
    } finally {
      stack.connect.deleteConnector(topic);
    }
  }

  /** Milvus Lite fails on ~990 levels with a "not ready" server code; the pre-write check rejects it by name. */
  @Test
  void shouldDeadLetterDeeplyNestedMetadataAndStoreTheNextRecord() throws Exception {
    String topic = "nested";
    stack.kafka.createTopics(topic);
    stack.produce(topic, List.of(record(topic, "deep", deep(990)),
        record(topic, "after", Envelopes.schemaless(Map.of("text", "the next note", "tenant", "t1")))));
    Map<String, String> config = stack.sinkConfig(topic, "nested_it", 1);
    config.put("record.tenant.field", "tenant");
    stack.connect.createConnector(topic, config);
    try {
      stack.awaitCount("nested_it", c -> c == 1, TIMEOUT);
      List<ConsumerRecord<String, String>> dead = readTopic(topic + "-dlq", 1, TIMEOUT);
      assertThat(dead).singleElement().satisfies(r -> {
        assertThat(r.key()).isEqualTo("deep");
        assertThat(header(r, DLQ_REASON)).contains("nests more than 64 levels", "record.metadata.max.depth");
      });
      stack.awaitCommittedToEnd(topic, topic, TIMEOUT);
      assertThat(stack.connect.status(topic).isRunning(1)).isTrue();
      assertThat(hits("nested_it", "t1")).extracting(Hit::id).containsExactly("after");
    } finally {
      stack.connect.deleteConnector(topic);
    }
  }

  /**
   * The store itself refuses one row of a 50-row batch: with the depth check lifted, Milvus Lite gets the
   * 990-deep record and fails on it. The other 49 are stored, the one is dead-lettered, and a restarted task
   * repeats nothing.
   */
  @Test
  void shouldStoreFortyNineRowsOfABatchWhoseFiftiethTheStoreRefusesAndRepeatNothingAfterARestart()
      throws Exception {
    String topic = "refused";
    stack.kafka.createTopics(topic);
    List<ProducerRecord<String, String>> records = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      records.add(i == 23 ? record(topic, "deep", deep(990))
          : record(topic, "r-" + i, Envelopes.schemaless(Map.of("text", "row number " + i, "tenant", "t1"))));
    }
    stack.produce(topic, records);
    Map<String, String> config = stack.sinkConfig(topic, "refused_it", 1);
    config.put("record.tenant.field", "tenant");
    config.put("record.metadata.max.depth", "1000");
    config.put("write.batch.max.records", "50");
    config.put("write.linger.ms", "60000");
    stack.connect.createConnector(topic, config);
    try {
      stack.awaitCount("refused_it", c -> c == 49, TIMEOUT);
      List<ConsumerRecord<String, String>> dead = readTopic(topic + "-dlq", 1, TIMEOUT);
      assertThat(dead).singleElement().satisfies(r -> {
        assertThat(r.key()).isEqualTo("deep");
        assertThat(header(r, DLQ_REASON)).contains("Milvus fails on this record alone", "maximum recursion depth");
      });
      stack.awaitCommittedToEnd(topic, topic, TIMEOUT);
      assertThat(stack.connect.status(topic).isRunning(1)).isTrue();

      stack.connect.restartTask(topic, 0);
      stack.connect.awaitRunning(topic, 1, TIMEOUT);
      stack.produce(topic, List.of(record(topic, "after-restart",
          Envelopes.schemaless(Map.of("text", "after the restart", "tenant", "t1")))));
      stack.awaitCount("refused_it", c -> c == 50, TIMEOUT);
      stack.awaitCommittedToEnd(topic, topic, TIMEOUT);
      assertThat(readTopic(topic + "-dlq", 2, Duration.ofSeconds(5))).as("nothing dead-lettered twice").hasSize(1);
      assertThat(stack.count("refused_it")).isEqualTo(50);
    } finally {
      stack.connect.deleteConnector(topic);
    }
  }

  /** {"text": "deep", "tenant": "t1", "m": [[[...1...]]]} with {@code depth} arrays, in a schemaless envelope. */
  static String deep(int depth) {
    return "{\"schema\":null,\"payload\":{\"text\":\"deep\",\"tenant\":\"t1\",\"m\":" + "[".repeat(depth) + "1"
        + "]".repeat(depth) + "}}";
  }

  private static List<Hit> hits(String collection, String tenant) {
    float[] vector = new float[384];
    Arrays.fill(vector, (float) (1 / Math.sqrt(384)));
    return stack.store(collection).search(new SearchQuery(vector, tenant, 100, Map.of(), 0, null));
  }

  private static String header(ConsumerRecord<String, String> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  /** Reads until {@code expected} records arrived or the time is up (a topic not there yet reads as empty). */
  private static List<ConsumerRecord<String, String>> readTopic(String topic, int expected, Duration timeout) {
    List<ConsumerRecord<String, String>> records = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
        stack.kafka.consumerConfig("it-reader-" + System.nanoTime()))) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + timeout.toNanos();
      while ((expected == 0 || records.size() < expected) && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(records::add);
      }
    }
    return records;
  }
}
