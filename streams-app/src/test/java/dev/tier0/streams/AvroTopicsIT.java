package dev.tier0.streams;

import static dev.tier0.streams.IntegrationStack.DEAD_LETTERS;
import static dev.tier0.streams.IntegrationStack.INGEST;
import static dev.tier0.streams.IntegrationStack.REPLIES;
import static dev.tier0.streams.IntegrationStack.REQUESTS;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tier0.local.ApicurioRegistry;
import dev.tier0.milvus.MemoryStore;
import dev.tier0.registry.AvroBinary;
import dev.tier0.registry.ConfluentAvroDeserializer;
import dev.tier0.registry.ConfluentAvroSerializer;
import dev.tier0.registry.ConfluentWireFormat;
import dev.tier0.registry.RegistryConfig;
import dev.tier0.registry.SchemaRegistryClient;
import dev.tier0.registry.SchemaType;
import dev.tier0.streams.format.AvroReplyEncoder;
import dev.tier0.streams.search.ErrorCode;
import dev.tier0.streams.search.ReplyHeaders;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Avro topics end to end against a real Confluent-compatible registry (Apicurio 2.4.2), a real broker, Milvus Lite
 * and the real MiniLM: Avro ingest records become memories through the same field paths as JSON, Avro search
 * requests get Avro replies, and every kind of bad input (unknown schema id, wrong magic byte, truncated payload,
 * registry outage) gets an error reply or a reported, skipped record, with the stream thread still running.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AvroTopicsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final Schema NOTE = new Schema.Parser().parse("""
      {"type":"record","name":"Note","namespace":"it.avro","fields":[
        {"name":"id","type":"string"},
        {"name":"tenant","type":["null","string"],"default":null},
        {"name":"payload","type":{"type":"record","name":"Payload","fields":[
          {"name":"body","type":"string"},{"name":"lang","type":"string"}]}},
        {"name":"tags","type":{"type":"array","items":"string"}},
        {"name":"priority","type":"int"}]}""");
  /** The same fields under another name: a second schema id, unknown to the app until it is asked. */
  static final Schema NOTE_V2 = new Schema.Parser().parse(NOTE.toString().replace("\"Note\"", "\"NoteV2\""));
  static final Schema REQUEST = load("search-request.avsc");
  static final Schema REQUEST_V2 = new Schema.Parser().parse(REQUEST.toString()
      .replace("\"SearchRequest\"", "\"SearchRequestV2\""));
  static final Schema STRING_SCHEMA = Schema.create(Schema.Type.STRING);
  static final String[][] NOTES = {
      {"n-dentist", "alice", "The dentist appointment is on Tuesday at 9 am.", "en"},
      {"n-rent", "alice", "Rent is due on the first of every month.", "en"},
      {"n-garden", "alice", "Water the tomatoes in the garden every evening.", "en"},
      {"n-train", "bob", "The train to Berlin leaves at 7:15 from platform 4.", "en"},
      {"n-kuchen", "bob", "Der Kuchen braucht 40 Minuten im Ofen.", "de"}};

  private IntegrationStack stack;
  private ApicurioRegistry registry;
  private SchemaRegistryClient registryClient;
  private StreamsApp app;
  private MemoryStore store;
  private KafkaProducer<byte[], byte[]> producer;
  private ConfluentAvroSerializer serializer;
  private ConfluentAvroDeserializer deserializer;
  private KafkaConsumer<byte[], byte[]> replies;

  @BeforeAll
  void start() throws Exception {
    stack = new IntegrationStack("avro-topics-it");
    registry = ApicurioRegistry.start(stack.workDir.resolve("registry"));
    registryClient = SchemaRegistryClient.create(RegistryConfig.builder().url(registry.url()).build());
    Map<String, Object> config = stack.appConfig("tier0-avro-it");
    config.put("ingest.key.format", "avro");
    config.put("ingest.format", "avro");
    config.put("search.request.format", "avro");
    config.put("search.reply.format", "avro");
    config.put("schema.registry.url", registry.url());
    config.put("record.text.field", "payload.body"); // a nested path, as it would be in JSON
    config.put("record.id.strategy", "key"); // the Avro string key is the id
    // a short retry budget, so the outage test reaches its verdict quickly
    config.put("max.retries", "2");
    config.put("retries.wait.ms", "100");
    config.put("retries.max.wait.ms", "400");
    app = StreamsApp.start(new AppConfig(config));
    assertThat(app.awaitRunning(Duration.ofSeconds(90))).as("streams reached RUNNING").isTrue();
    store = stack.store();

    Map<String, Object> producerConfig = stack.clientConfig();
    producerConfig.put("key.serializer", ByteArraySerializer.class);
    producerConfig.put("value.serializer", ByteArraySerializer.class);
    producerConfig.put("linger.ms", 0);
    producer = new KafkaProducer<>(producerConfig);
    serializer = new ConfluentAvroSerializer(registryClient, true);
    deserializer = new ConfluentAvroDeserializer(registryClient);
    Map<String, Object> consumerConfig = stack.clientConfig();
    consumerConfig.put("group.id", "avro-it-replies");
    consumerConfig.put("auto.offset.reset", "earliest");
    replies = new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    replies.subscribe(List.of(REPLIES));

    for (String[] n : NOTES) {
      ingest(note(NOTE, n));
    }
    producer.flush();
    IntegrationStack.await(NOTES.length + " Avro memories in Milvus", Duration.ofMinutes(2),
        () -> store.count() >= NOTES.length);
  }

  @AfterAll
  void stop() {
    for (AutoCloseable c : new AutoCloseable[] {replies, producer, app, store, registryClient, registry, stack}) {
      if (c != null) {
        try {
          c.close();
        } catch (Exception e) {
          throw new IllegalStateException("closing " + c.getClass().getSimpleName(), e);
        }
      }
    }
  }

  @Test
  @Order(1)
  void shouldStoreAvroRecordsThroughTheSameFieldPathsAsJson() {
    assertThat(store.count()).isEqualTo(NOTES.length);
    assertThat(app.metrics().rejected()).isZero();
    assertThat(app.metrics().undecodable()).isZero();
  }

  @Test
  @Order(2)
  void shouldAnswerAnAvroRequestWithAnAvroReplyCarryingTheStoredMemory() throws Exception {
    byte[] correlation = uuid();
    send(request(REQUEST, "when do I see the dentist?", "alice", 2), correlation);

    GenericRecord reply = awaitReply(correlation);

    assertThat(reply.getSchema().getFullName()).isEqualTo("dev.tier0.search.SearchReply");
    assertThat(reply.get("error")).isNull();
    assertThat(reply.get("correlation_id").toString()).isEqualTo(Base64.getEncoder().encodeToString(correlation));
    @SuppressWarnings("unchecked")
    List<GenericRecord> hits = (List<GenericRecord>) reply.get("hits");
    assertThat(hits).hasSize(2);
    GenericRecord top = hits.get(0);
    assertThat(top.get("id").toString()).isEqualTo("n-dentist");
    assertThat(top.get("text").toString()).isEqualTo(NOTES[0][2]);
    // hybrid by default (weighted, dense 0.7, legs normalised): a fused score in (0, 1]
    assertThat(reply.get("mode").toString()).isEqualTo("hybrid");
    assertThat((float) top.get("score")).isGreaterThan(0f).isLessThanOrEqualTo(1f);
    JsonNode metadata = JSON.readTree(top.get("metadata").toString());
    assertThat(metadata.path("payload").path("lang").asText()).isEqualTo("en");
    assertThat(metadata.path("tags").get(0).asText()).isEqualTo("tag-n-dentist");
    assertThat(metadata.path("priority").asInt()).isEqualTo(3);
    // tenant isolation held: bob's memories are not among alice's hits
    assertThat(hits).extracting(h -> h.get("id").toString()).doesNotContain("n-train", "n-kuchen");
    assertThat(new Schema.Parser().parse(registryClient.latest(REPLIES + "-value").schema().schema()))
        .isEqualTo(AvroReplyEncoder.SCHEMA);
  }

  @Test
  @Order(3)
  void shouldAnswerUndecodableRequestsWithAvroErrorReplies() throws Exception {
    byte[] valid = serializer.serialize(REQUESTS, request(REQUEST, "rent", "alice", 1));
    Map<String, byte[]> bad = Map.of(
        "UNKNOWN_SCHEMA", ConfluentWireFormat.frame(987_654, Arrays.copyOfRange(valid, 5, valid.length)),
        "MALFORMED_REQUEST/magic", "{\"query\":\"rent\"}".getBytes(UTF_8),
        "MALFORMED_REQUEST/truncated", Arrays.copyOf(valid, valid.length - 4));
    Map<String, byte[]> correlations = new HashMap<>();
    bad.forEach((what, bytes) -> {
      byte[] correlation = uuid();
      correlations.put(what, correlation);
      sendRaw(bytes, correlation);
    });

    for (Map.Entry<String, byte[]> e : correlations.entrySet()) {
      GenericRecord error = (GenericRecord) awaitReply(e.getValue()).get("error");
      assertThat(error).as(e.getKey()).isNotNull();
      assertThat(error.get("code").toString()).as(e.getKey()).isEqualTo(e.getKey().split("/")[0]);
      assertThat((boolean) error.get("retriable")).isFalse();
    }
    assertThat(((GenericRecord) awaitReply(correlations.get("UNKNOWN_SCHEMA")).get("error")).get("message")
        .toString()).contains("unknown schema id 987654");
    assertThat(((GenericRecord) awaitReply(correlations.get("MALFORMED_REQUEST/magic")).get("error")).get("message")
        .toString()).contains("magic byte 0x7B");
    assertThat(((GenericRecord) awaitReply(correlations.get("MALFORMED_REQUEST/truncated")).get("error"))
        .get("message").toString()).contains("truncated");
  }

  @Test
  @Order(4)
  void shouldReportAndSkipUndecodableIngestRecordsAndKeepGoing() throws Exception {
    byte[] valid = serializer.serialize(INGEST, note(NOTE, new String[] {"n-x", "alice", "x", "en"}));
    long before = app.metrics().undecodable();
    try (KafkaConsumer<byte[], byte[]> dlq = deadLetters()) {
      ingestRaw("bad-unknown", ConfluentWireFormat.frame(987_655, Arrays.copyOfRange(valid, 5, valid.length)));
      ingestRaw("bad-magic", "{\"id\":\"bad-magic\",\"text\":\"plain json\"}".getBytes(UTF_8));
      ingestRaw("bad-truncated", Arrays.copyOf(valid, valid.length - 3));
      producer.send(new ProducerRecord<>(INGEST, "plain-key".getBytes(UTF_8), valid)); // a key that is not Avro
      producer.flush();
      ingest(note(NOTE, new String[] {"n-after", "alice", "The plumber comes on Friday afternoon.", "en"}));

      Map<String, String> reasons = deadLetterReasons(dlq, 4);
      assertThat(reasons.get("bad-unknown")).contains("unknown schema id 987655");
      assertThat(reasons.get("bad-magic")).contains("unknown magic byte 0x7B");
      assertThat(reasons.get("bad-truncated")).contains("truncated Avro payload");
      assertThat(reasons.get("raw:plain-key")).contains("ingest key").contains("unknown magic byte 0x70");
    }
    IntegrationStack.await("the record after the bad ones", Duration.ofSeconds(60),
        () -> store.count() >= NOTES.length + 1);
    assertThat(app.metrics().undecodable() - before).isEqualTo(4);
    assertThat(app.state().isRunningOrRebalancing()).isTrue();
  }

  @Test
  @Order(5)
  void shouldAnswerOrReportARegistryOutageAndRecoverWhenItReturns() throws Exception {
    // registered while the registry is up, but never seen by the app: it must ask the registry for them
    byte[] unseenRequest = serializer.serialize(REQUESTS, request(REQUEST_V2, "when is rent due?", "alice", 1));
    byte[] unseenNote = serializer.serialize(INGEST,
        note(NOTE_V2, new String[] {"n-outage", "alice", "Written while the registry was down.", "en"}));
    long stored = store.count();
    registry.stop();
    try (KafkaConsumer<byte[], byte[]> dlq = deadLetters()) {
      byte[] correlation = uuid();
      sendRaw(unseenRequest, correlation);
      GenericRecord error = (GenericRecord) awaitReply(correlation).get("error");
      assertThat(error.get("code").toString()).isEqualTo(ErrorCode.SCHEMA_REGISTRY_UNAVAILABLE.name());
      assertThat((boolean) error.get("retriable")).isTrue();
      assertThat(error.get("message").toString()).contains("unavailable");

      ingestRaw("n-outage", unseenNote);
      assertThat(deadLetterReasons(dlq, 1).get("n-outage")).contains("registry_unavailable");
      // schemas the app already knows keep working while the registry is down
      ingest(note(NOTE, new String[] {"n-known", "bob", "Known schemas still decode during the outage.", "en"}));
      IntegrationStack.await("a record with a cached schema during the outage", Duration.ofSeconds(60),
          () -> store.count() >= stored + 1);
    } finally {
      registry.restart();
    }
    // The app's client fails fast for retries.max.wait.ms after its last failed attempt: ask until it answers.
    GenericRecord reply = null;
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (reply == null || reply.get("error") != null) {
      if (reply != null) {
        GenericRecord error = (GenericRecord) reply.get("error");
        assertThat(error.get("code").toString()).as("only the outage may fail it: %s", error)
            .isEqualTo(ErrorCode.SCHEMA_REGISTRY_UNAVAILABLE.name());
        assertThat(System.nanoTime()).as("registry back within 60 s").isLessThan(deadline);
      }
      byte[] correlation = uuid();
      sendRaw(unseenRequest, correlation);
      reply = awaitReply(correlation);
    }
    assertThat(((List<?>) reply.get("hits"))).extracting(h -> ((GenericRecord) h).get("id").toString())
        .containsExactly("n-rent");
  }

  @Test
  @Order(6)
  void shouldNameAMemoryByTheOnlyFieldOfAnAvroRecordKeyAsTheConnectorDoes() throws Exception {
    Schema keySchema = SchemaBuilder.record("NoteKey").namespace("it.avro").fields().requiredString("id").endRecord();
    GenericRecord key = new GenericData.Record(keySchema);
    key.put("id", "n-record-key");
    int keyId = registryClient.register(INGEST + "-key", SchemaType.AVRO, keySchema.toString());
    long before = store.count();
    long undecodableBefore = app.metrics().undecodable();
    GenericRecord note = note(NOTE, new String[] {"n-record-key", "bob", "Keys may be records of one field.", "en"});
    producer.send(new ProducerRecord<>(INGEST, ConfluentWireFormat.frame(keyId, AvroBinary.encode(key, keySchema)),
        serializer.serialize(INGEST, note)));
    producer.flush();
    IntegrationStack.await("the record-keyed memory stored", Duration.ofSeconds(60),
        () -> store.count() == before + 1);
    // a tombstone under the plain string key deletes it: the record key named the memory by its field
    producer.send(new ProducerRecord<>(INGEST, avroKey("n-record-key"), null));
    producer.flush();
    IntegrationStack.await("the record-keyed memory deleted by its string id", Duration.ofSeconds(60),
        () -> store.count() == before);
    assertThat(app.metrics().undecodable()).as("the record key was read, not reported").isEqualTo(undecodableBefore);
  }

  private void ingest(GenericRecord note) {
    ingestRaw(note.get("id").toString(), serializer.serialize(INGEST, note));
  }

  /** Keys are Avro strings, as Confluent's key serializer writes them (subject {@code <topic>-key}). */
  private void ingestRaw(String key, byte[] value) {
    producer.send(new ProducerRecord<>(INGEST, avroKey(key), value));
    producer.flush();
  }

  private byte[] avroKey(String key) {
    int id = registryClient.register(INGEST + "-key", SchemaType.AVRO, STRING_SCHEMA.toString());
    return ConfluentWireFormat.frame(id, AvroBinary.encode(key, STRING_SCHEMA));
  }

  private void send(GenericRecord request, byte[] correlation) {
    sendRaw(serializer.serialize(REQUESTS, request), correlation);
  }

  private void sendRaw(byte[] value, byte[] correlation) {
    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(REQUESTS, null, value);
    record.headers().add(ReplyHeaders.CORRELATION_ID, correlation);
    record.headers().add(ReplyHeaders.REPLY_TOPIC, REPLIES.getBytes(UTF_8));
    producer.send(record);
    producer.flush();
  }

  private final Map<String, GenericRecord> repliesSeen = new HashMap<>();

  private GenericRecord awaitReply(byte[] correlation) {
    String key = Base64.getEncoder().encodeToString(correlation);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!repliesSeen.containsKey(key)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no reply for correlation id " + key);
      }
      for (ConsumerRecord<byte[], byte[]> r : replies.poll(Duration.ofMillis(200))) {
        Header header = r.headers().lastHeader(ReplyHeaders.CORRELATION_ID);
        GenericRecord reply = (GenericRecord) deserializer.deserialize(REPLIES, r.value());
        String id = Base64.getEncoder().encodeToString(header.value());
        assertThat(repliesSeen.put(id, reply)).as("exactly one reply for " + id).isNull();
      }
    }
    return repliesSeen.get(key);
  }

  private KafkaConsumer<byte[], byte[]> deadLetters() {
    Map<String, Object> c = stack.clientConfig();
    c.put("group.id", "avro-it-dlq-" + UUID.randomUUID());
    c.put("auto.offset.reset", "latest");
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
    consumer.subscribe(List.of(DEAD_LETTERS));
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (consumer.assignment().isEmpty() && System.nanoTime() < deadline) {
      consumer.poll(Duration.ofMillis(100)); // join the group before anything is written
    }
    return consumer;
  }

  /** Key (decoded from its Avro bytes) -> the reason Kafka Streams' dead-letter headers carry. */
  private Map<String, String> deadLetterReasons(KafkaConsumer<byte[], byte[]> dlq, int expected) {
    Map<String, String> reasons = new HashMap<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (reasons.size() < expected && System.nanoTime() < deadline) {
      for (ConsumerRecord<byte[], byte[]> r : dlq.poll(Duration.ofMillis(200))) {
        Header message = r.headers().lastHeader("__streams.errors.message");
        Header cause = r.headers().lastHeader("__streams.errors.exception");
        reasons.put(keyText(r.key()), (message == null ? "" : new String(message.value(), UTF_8))
            + " / " + (cause == null ? "" : new String(cause.value(), UTF_8)));
      }
    }
    assertThat(reasons).as("dead letters").hasSize(expected);
    return reasons;
  }

  /** An Avro key as its string; a key that is not Avro (the bad-key case) as its raw text. */
  private String keyText(byte[] key) {
    return key.length > 0 && key[0] == ConfluentWireFormat.MAGIC_BYTE
        ? deserializer.deserialize(INGEST, key).toString() : "raw:" + new String(key, UTF_8);
  }

  static GenericRecord note(Schema schema, String[] n) {
    Schema payload = schema.getField("payload").schema();
    return new GenericRecordBuilder(schema).set("id", n[0]).set("tenant", n[1])
        .set("payload", new GenericRecordBuilder(payload).set("body", n[2]).set("lang", n[3]).build())
        .set("tags", List.of("tag-" + n[0])).set("priority", 3).build();
  }

  static GenericRecord request(Schema schema, String query, String tenant, int topK) {
    return new GenericRecordBuilder(schema).set("query", query).set("tenant", tenant).set("top_k", topK).build();
  }

  private static byte[] uuid() {
    return UUID.randomUUID().toString().getBytes(UTF_8);
  }

  private static Schema load(String resource) {
    try (var in = AvroReplyEncoder.class.getResourceAsStream(resource)) {
      return new Schema.Parser().parse(in);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
