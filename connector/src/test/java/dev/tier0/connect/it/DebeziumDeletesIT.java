package dev.tier0.connect.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.debezium.data.Envelope;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.service.vector.request.QueryReq;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A change-data-capture topic as Debezium writes it, unwrapped by Debezium's own ExtractNewRecordState in the
 * Connect worker, into the packaged sink. With {@code delete.tombstone.handling.mode=rewrite} a delete arrives as
 * the deleted row marked {@code __deleted=true} and its tombstone is dropped, so {@code record.delete.field} is
 * the only way the sink can learn of it. The change events are made by hand with Debezium's
 * {@link Envelope}, the way its connectors build them, for a table {@code notes(id int primary key, body text,
 * author text)}.
 */
class DebeziumDeletesIT {
  private static final Duration TIMEOUT = Duration.ofMinutes(4);
  private static final String TOPIC = "dbserver1.inventory.notes";
  private static final String COLLECTION = "debezium_it";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final Schema KEY = SchemaBuilder.struct().name(TOPIC + ".Key")
      .field("id", Schema.INT32_SCHEMA).build();
  private static final Schema ROW = SchemaBuilder.struct().name(TOPIC + ".Value").optional()
      .field("id", Schema.INT32_SCHEMA)
      .field("body", Schema.OPTIONAL_STRING_SCHEMA)
      .field("author", Schema.OPTIONAL_STRING_SCHEMA).build();
  private static final Schema SOURCE = SchemaBuilder.struct().name("io.debezium.connector.postgresql.Source")
      .field("version", Schema.STRING_SCHEMA)
      .field("connector", Schema.STRING_SCHEMA)
      .field("name", Schema.STRING_SCHEMA)
      .field("ts_ms", Schema.INT64_SCHEMA)
      .field("db", Schema.STRING_SCHEMA)
      .field("schema", Schema.STRING_SCHEMA)
      .field("table", Schema.STRING_SCHEMA).build();
  private static final Envelope ENVELOPE = Envelope.defineSchema().withName(TOPIC + ".Envelope")
      .withRecord(ROW).withSource(SOURCE).build();

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
  void shouldHoldExactlyWhatTheSourceTableHoldsAfterCreateUpdateAndDelete() throws Exception {
    stack.kafka.createTopics(TOPIC);
    Map<Integer, String> table = new TreeMap<>();
    List<ProducerRecord<String, String>> changes = new ArrayList<>();
    for (int id = 1; id <= 3; id++) {
      Struct row = row(id, "note number " + id + " about the garden", "ana");
      changes.add(change(id, ENVELOPE.create(row, source(), Instant.now())));
      table.put(id, row.getString("body"));
    }
    Struct before = row(2, "note number 2 about the garden", "ana");
    Struct after = row(2, "note number 2, revised: about the orchard", "ben");
    changes.add(change(2, ENVELOPE.update(before, after, source(), Instant.now())));
    table.put(2, after.getString("body"));
    changes.add(change(3, ENVELOPE.delete(row(3, "note number 3 about the garden", "ana"), source(), Instant.now())));
    changes.add(new ProducerRecord<>(TOPIC, key(3), null)); // Debezium's tombstone after a delete
    table.remove(3);
    stack.produce(TOPIC, changes);

    Map<String, String> config = stack.sinkConfig(TOPIC, COLLECTION, 1);
    config.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
    config.put("key.converter.schemas.enable", "true");
    config.put("transforms", "unwrap");
    config.put("transforms.unwrap.type", "io.debezium.transforms.ExtractNewRecordState");
    // the row before a delete, marked __deleted=true, and the tombstone dropped: the marker is the only delete
    config.put("transforms.unwrap.delete.tombstone.handling.mode", "rewrite");
    config.put("record.text.field", "body");
    config.put("record.delete.field", "__deleted");
    String name = "debezium";
    stack.connect.createConnector(name, config);
    try {
      Map<String, String> expected = new TreeMap<>();
      table.forEach((id, body) -> expected.put(id.toString(), body));
      // Only the final state equals the table (before it: three rows, or the old text of row 2).
      Map<String, String> stored = awaitRows(expected);
      assertThat(stored).isEqualTo(expected);
      // The transform drops the tombstone, so put() never sees the topic's last record; the offset still reaches
      // the end, or the partition would show lag for ever and replay it after each restart.
      stack.awaitCommittedToEnd(name, TOPIC, TIMEOUT);
      Map<String, Object> authors = new TreeMap<>();
      for (Map<String, Object> row : allRows()) {
        // the SDK hands JSON fields back as Gson trees: read them as plain maps
        Map<String, Object> metadata = JSON.readValue(row.get("metadata").toString(), new TypeReference<>() {});
        assertThat(metadata).as("the marker is not metadata").doesNotContainKey("__deleted");
        authors.put((String) row.get("memory_id"), metadata.get("author"));
      }
      assertThat(authors).containsEntry("2", "ben");
      assertThat(deadLetters()).as("deletes and tombstones are not errors").isZero();
      assertThat(stack.connect.status(name).isRunning(1)).isTrue();
    } finally {
      stack.connect.deleteConnector(name);
    }
  }

  /** Polls the collection until it holds {@code expected} (id to text); fails with what it holds at the timeout. */
  private static Map<String, String> awaitRows(Map<String, String> expected) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    Map<String, String> stored = Map.of();
    while (System.nanoTime() < deadline) {
      try {
        stored = new TreeMap<>();
        for (Map<String, Object> row : allRows()) {
          stored.put((String) row.get("memory_id"), (String) row.get("text"));
        }
        if (stored.equals(expected)) {
          return stored;
        }
      } catch (RuntimeException e) {
        stored = Map.of("(collection not readable yet)", e.getMessage());
      }
      Thread.sleep(250);
    }
    return stored;
  }

  private static Struct row(int id, String body, String author) {
    return new Struct(ROW).put("id", id).put("body", body).put("author", author);
  }

  private static Struct source() {
    return new Struct(SOURCE).put("version", "3.6.1.Final").put("connector", "postgresql").put("name", "dbserver1")
        .put("ts_ms", System.currentTimeMillis()).put("db", "inventory").put("schema", "inventory")
        .put("table", "notes");
  }

  /** The change event as Debezium's JsonConverter (schemas enabled) puts it on the topic. */
  private static ProducerRecord<String, String> change(int id, Struct envelope) {
    return new ProducerRecord<>(TOPIC, key(id), json(false, ENVELOPE.schema(), envelope));
  }

  private static String key(int id) {
    return json(true, KEY, new Struct(KEY).put("id", id));
  }

  private static String json(boolean isKey, Schema schema, Object value) {
    try (JsonConverter converter = new JsonConverter()) {
      converter.configure(Map.of("schemas.enable", "true"), isKey);
      return new String(converter.fromConnectData(TOPIC, schema, value), StandardCharsets.UTF_8);
    }
  }

  /** Every row of the collection, read with strong consistency so no acknowledged write is missed. */
  private static List<Map<String, Object>> allRows() {
    MilvusClientV2 client = new MilvusClientV2(ConnectConfig.builder().uri(stack.milvus.uri()).build());
    try {
      return client.query(QueryReq.builder().collectionName(COLLECTION).filter("id != \"\"")
              .outputFields(List.of("id", "memory_id", "text", "metadata")).consistencyLevel(ConsistencyLevel.STRONG).build())
          .getQueryResults().stream().map(r -> r.getEntity()).toList();
    } finally {
      client.close();
    }
  }

  private static int deadLetters() {
    Map<String, Object> config = stack.kafka.consumerConfig("dlq-reader-" + System.nanoTime());
    config.put("allow.auto.create.topics", "false");
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
      consumer.subscribe(List.of(TOPIC + "-dlq"));
      int count = 0;
      // everything before the committed offsets has been handled, so any dead letter is already written
      for (int polls = 0; polls < 6; polls++) {
        ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(500));
        count += records.count();
      }
      return count;
    }
  }
}
