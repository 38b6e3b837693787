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
import dev.tier0.streams.search.SearchCommand;
import dev.tier0.streams.search.SearchReply;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.KafkaMessageListenerContainer;
import org.springframework.kafka.requestreply.ReplyingKafkaTemplate;
import org.springframework.kafka.requestreply.RequestReplyFuture;
import picocli.CommandLine;

/**
 * The app against a real broker, real Milvus Lite and the real MiniLM: 5,000 memories in, 200 concurrent requests
 * answered exactly once, tenants isolated, bad requests answered with errors, a store outage answered too. The
 * tests share the ingested corpus but not their order: each sends its own traffic and leaves the stack as it
 * found it (the outage test restores Milvus and waits until search works again).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamsAppIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MEMORIES = 5_000;
  private static final int REQUESTS_IN_FLIGHT = 200;

  private IntegrationStack stack;
  private StreamsApp app;
  private MemoryStore store;
  private List<Corpus.Entry> corpus;
  private KafkaProducer<byte[], byte[]> producer;

  @BeforeAll
  void startStackAndIngest() throws Exception {
    stack = new IntegrationStack("streams-app-it");
    app = StreamsApp.start(new AppConfig(stack.appConfig("tier0-it")));
    assertThat(app.awaitRunning(Duration.ofSeconds(90))).as("streams reached RUNNING").isTrue();
    store = stack.store();
    Map<String, Object> producerConfig = stack.clientConfig();
    producerConfig.put("key.serializer", ByteArraySerializer.class);
    producerConfig.put("value.serializer", ByteArraySerializer.class);
    producerConfig.put("linger.ms", 0);
    producer = new KafkaProducer<>(producerConfig);

    corpus = Corpus.generate(MEMORIES, 7);
    for (Corpus.Entry e : corpus) {
      producer.send(new ProducerRecord<>(INGEST, e.id().getBytes(UTF_8), Corpus.json(e).getBytes(UTF_8)));
    }
    producer.flush();
    IntegrationStack.await(MEMORIES + " memories in Milvus", Duration.ofMinutes(4),
        () -> store.count() >= MEMORIES);
    LiteIndexing.flushAndIndex(stack.milvus.uri(), stack.collection);
  }

  @AfterAll
  void stop() {
    if (producer != null) {
      producer.close();
    }
    if (app != null) {
      app.close();
    }
    if (store != null) {
      store.close();
    }
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void shouldHaveIngestedEveryMemoryExactlyOnceWithItsTenant() {
    assertThat(store.count()).isEqualTo(MEMORIES);
    assertThat(app.metrics().ingested()).isGreaterThanOrEqualTo(MEMORIES);
    assertThat(app.metrics().rejected()).isZero();
  }

  @Test
  void shouldAnswerEachOf200ConcurrentRequestsExactlyOnceWithItsCorrelationIdAndTheStoredMemoryOnTop()
      throws Exception {
    Random random = new Random(11);
    Map<ByteBuffer, Corpus.Entry> asked = new ConcurrentHashMap<>();
    List<ProducerRecord<byte[], byte[]>> requests = new ArrayList<>();
    for (int i = 0; i < REQUESTS_IN_FLIGHT; i++) {
      Corpus.Entry target = corpus.get(random.nextInt(corpus.size()));
      byte[] correlation = uuidBytes();
      asked.put(ByteBuffer.wrap(correlation), target);
      ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(REQUESTS, ("k" + i).getBytes(UTF_8),
          ("{\"query\":\"" + target.text() + "\",\"tenant\":\"" + target.tenant() + "\",\"top_k\":3}")
              .getBytes(UTF_8));
      r.headers().add(ReplyHeaders.CORRELATION_ID, correlation);
      r.headers().add(ReplyHeaders.REPLY_TOPIC, REPLIES.getBytes(UTF_8));
      requests.add(r);
    }
    try (KafkaConsumer<byte[], byte[]> replies = replyConsumer()) {
      // 8 senders at once, so requests really are in flight together.
      ExecutorService senders = Executors.newFixedThreadPool(8);
      List<Future<?>> sent = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int offset = t;
        sent.add(senders.submit(() -> {
          for (int i = offset; i < requests.size(); i += 8) {
            producer.send(requests.get(i));
          }
          producer.flush();
        }));
      }
      for (Future<?> f : sent) {
        f.get(30, TimeUnit.SECONDS);
      }
      senders.shutdown();

      Map<ByteBuffer, List<JsonNode>> received = new HashMap<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      long quietUntil = Long.MAX_VALUE;
      // Read until every request is answered, then 3 s more: a duplicate would show up in that time.
      while (System.nanoTime() < Math.min(deadline, quietUntil)) {
        for (ConsumerRecord<byte[], byte[]> r : replies.poll(Duration.ofMillis(200))) {
          ByteBuffer id = ByteBuffer.wrap(r.headers().lastHeader(ReplyHeaders.CORRELATION_ID).value());
          received.computeIfAbsent(id, k -> new ArrayList<>()).add(JSON.readTree(r.value()));
        }
        if (received.keySet().containsAll(asked.keySet()) && quietUntil == Long.MAX_VALUE) {
          quietUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        }
      }
      assertThat(received.keySet()).containsExactlyInAnyOrderElementsOf(asked.keySet());
      int topHitRight = 0;
      for (Map.Entry<ByteBuffer, List<JsonNode>> e : received.entrySet()) {
        assertThat(e.getValue()).as("replies for one correlation id").hasSize(1);
        JsonNode reply = e.getValue().get(0);
        assertThat(reply.has("error")).as(reply.toString()).isFalse();
        Corpus.Entry target = asked.get(e.getKey());
        if (reply.at("/hits/0/id").asText().equals(target.id())) {
          topHitRight++;
        }
        // the default mode is hybrid, weighted dense 0.7 over legs normalised into [0, 1]: the dense leg alone
        // gives at most 0.7, so a query equal to a stored text scores above that only if the keyword leg found it
        assertThat(reply.at("/mode").asText()).isEqualTo("hybrid");
        assertThat(reply.at("/hits/0/score").floatValue()).isGreaterThan(0.75f).isLessThanOrEqualTo(1f);
      }
      assertThat(topHitRight).as("queries equal to a stored text find it first").isEqualTo(REQUESTS_IN_FLIGHT);
    }
  }

  @Test
  void shouldNeverLeakAnotherTenantsMemories() throws Exception {
    Map<String, Set<String>> idsByTenant = corpus.stream().collect(
        Collectors.groupingBy(Corpus.Entry::tenant, Collectors.mapping(Corpus.Entry::id, Collectors.toSet())));
    try (SearchClient client = new SearchClient(stack.clientConfig(), REQUESTS, REPLIES)) {
      for (Corpus.Entry target : corpus.subList(0, 6)) {
        for (String tenant : Corpus.TENANTS) {
          SearchReply reply = client.search(SearchClient.Query.of(target.text()).tenant(tenant).topK(20),
              Duration.ofSeconds(30));
          assertThat(reply).isInstanceOf(SearchReply.Hits.class);
          SearchReply.Hits hits = (SearchReply.Hits) reply;
          assertThat(hits.hits()).hasSize(20);
          assertThat(hits.hits()).allSatisfy(h -> assertThat(idsByTenant.get(tenant)).contains(h.id()));
          assertThat(hits.hits().get(0).id().equals(target.id())).isEqualTo(tenant.equals(target.tenant()));
        }
      }
      SearchReply unknownTenant = client.search(SearchClient.Query.of(corpus.get(0).text()).tenant("nobody"),
          Duration.ofSeconds(30));
      assertThat(((SearchReply.Hits) unknownTenant).hits()).isEmpty();
    }
  }

  @Test
  void shouldAnswerMalformedRequestsWithErrorRepliesAndKeepServing() throws Exception {
    Map<String, String> expected = Map.of(
        "{\"query\": broken", "MALFORMED_REQUEST",
        "{\"tenant\":\"acme\"}", "MISSING_QUERY",
        "{\"query\":\"x\",\"top_k\":100000}", "BAD_TOP_K",
        "{\"query\":\"x\",\"filter\":{\"source; drop\":\"corpus\"}}", "UNKNOWN_FILTER_KEY",
        "{\"query\":\"x\",\"filter\":\"source == 'corpus'\"}", "BAD_FILTER");
    try (SearchClient client = new SearchClient(stack.clientConfig(), REQUESTS, REPLIES)) {
      for (Map.Entry<String, String> e : expected.entrySet()) {
        SearchReply reply = client.send(e.getKey().getBytes(UTF_8)).get(30, TimeUnit.SECONDS);
        assertThat(reply).as(e.getKey()).isInstanceOfSatisfying(SearchReply.Failure.class,
            f -> assertThat(f.code().name()).isEqualTo(e.getValue()));
      }
      Corpus.Entry target = corpus.get(42);
      SearchReply ok = client.search(SearchClient.Query.of(target.text()).tenant(target.tenant())
          .filter(Map.of("source", "corpus")), Duration.ofSeconds(30));
      assertThat(((SearchReply.Hits) ok).hits().get(0).id()).isEqualTo(target.id());
    }
  }

  @Test
  void shouldPrintTheTopHitFromTheSearchCommand() throws Exception {
    Corpus.Entry target = corpus.get(321);
    StringWriter out = new StringWriter();
    CommandLine command = new CommandLine(new SearchCommand()).setOut(new PrintWriter(out));
    int exit = command.execute("--bootstrap-servers", stack.kafka.bootstrapServers(), "--request-topic", REQUESTS,
        "--reply-topic", REPLIES, "--tenant", target.tenant(), "--top-k", "3", "--timeout", "30s", target.text());
    assertThat(exit).as(out.toString()).isZero();
    List<String> lines = out.toString().lines().toList();
    assertThat(lines.get(0)).startsWith("3 hits (model all-minilm-l6-v2");
    assertThat(lines.get(1)).contains(target.id()).contains(target.text());

    StringWriter json = new StringWriter();
    int jsonExit = new CommandLine(new SearchCommand()).setOut(new PrintWriter(json)).execute("--bootstrap-servers",
        stack.kafka.bootstrapServers(), "--request-topic", REQUESTS, "--reply-topic", REPLIES, "--json",
        "--top-k", "0", "anything");
    assertThat(jsonExit).isEqualTo(1);
    assertThat(JSON.readTree(json.toString()).at("/error/code").asText()).isEqualTo("BAD_TOP_K");
  }

  @Test
  void shouldReportReadinessAndMetricsOverHttp() throws Exception {
    // this test's own traffic, so the counters it checks do not depend on which tests ran before it
    long answeredBefore = app.metrics().answered();
    long errorsBefore = app.metrics().errorReplies();
    try (SearchClient client = new SearchClient(stack.clientConfig(), REQUESTS, REPLIES)) {
      Corpus.Entry target = corpus.get(99);
      assertThat(client.search(SearchClient.Query.of(target.text()).tenant(target.tenant()), Duration.ofSeconds(30)))
          .isInstanceOf(SearchReply.Hits.class);
      assertThat(client.send("{\"query\": broken".getBytes(UTF_8)).get(30, TimeUnit.SECONDS))
          .isInstanceOf(SearchReply.Failure.class);
    }
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> health = http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + app.healthPort() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(health.body()).get("state").asText()).isEqualTo("RUNNING");
    JsonNode metrics = JSON.readTree(http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + app.healthPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body());
    assertThat(metrics.get("records_ingested").asLong()).isGreaterThanOrEqualTo(MEMORIES);
    assertThat(metrics.get("requests_answered").asLong()).isGreaterThanOrEqualTo(answeredBefore + 1);
    assertThat(metrics.get("request_errors").asLong()).isGreaterThanOrEqualTo(errorsBefore + 1);
    assertThat(metrics.at("/embed_queries/count").asLong()).isPositive();
    assertThat(metrics.at("/search/total_ms").asDouble()).isPositive();
  }

  @Test
  void shouldAnswerStoreUnavailableDuringAnOutageAndRecoverAfterIt() throws Exception {
    try (SearchClient client = new SearchClient(stack.clientConfig(), REQUESTS, REPLIES)) {
      stack.milvus.stop();
      try {
        SearchReply down = client.search(SearchClient.Query.of("anything").tenant("acme"), Duration.ofSeconds(60));
        assertThat(down).isInstanceOfSatisfying(SearchReply.Failure.class,
            f -> assertThat(f.code().name()).isEqualTo("STORE_UNAVAILABLE"));
      } finally {
        stack.milvus.restart(); // whatever happened, the tests that run after this one get their store back
      }
      Corpus.Entry target = corpus.get(7);
      AtomicInteger attempts = new AtomicInteger();
      IntegrationStack.await("search to work again", Duration.ofSeconds(60), () -> {
        attempts.incrementAndGet();
        try {
          SearchReply r = client.search(SearchClient.Query.of(target.text()).tenant(target.tenant()),
              Duration.ofSeconds(30));
          return r instanceof SearchReply.Hits h && !h.hits().isEmpty() && h.hits().get(0).id().equals(target.id());
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      });
    }
  }

  @Test
  void shouldWorkWithSpringsReplyingKafkaTemplateUnchanged() throws Exception {
    String springReplies = "spring.replies";
    stack.kafka.createTopics(springReplies);
    Map<String, Object> producerProps = stack.clientConfig();
    producerProps.put("key.serializer", StringSerializer.class);
    producerProps.put("value.serializer", StringSerializer.class);
    Map<String, Object> consumerProps = stack.clientConfig();
    consumerProps.put("key.deserializer", StringDeserializer.class);
    consumerProps.put("value.deserializer", StringDeserializer.class);
    consumerProps.put("auto.offset.reset", "earliest");
    ContainerProperties containerProperties = new ContainerProperties(springReplies);
    containerProperties.setGroupId("spring-client");
    KafkaMessageListenerContainer<String, String> container = new KafkaMessageListenerContainer<>(
        new DefaultKafkaConsumerFactory<>(consumerProps), containerProperties);
    ReplyingKafkaTemplate<String, String, String> template =
        new ReplyingKafkaTemplate<>(new DefaultKafkaProducerFactory<>(producerProps), container);
    template.setDefaultReplyTimeout(Duration.ofSeconds(60));
    template.start();
    try {
      assertThat(template.waitForAssignment(Duration.ofSeconds(60))).isTrue();
      Corpus.Entry target = corpus.get(123);
      RequestReplyFuture<String, String, String> future = template.sendAndReceive(new ProducerRecord<>(REQUESTS,
          "spring-key", "{\"query\":\"" + target.text() + "\",\"tenant\":\"" + target.tenant() + "\"}"));
      ConsumerRecord<String, String> reply = future.get(60, TimeUnit.SECONDS);
      assertThat(reply.topic()).isEqualTo(springReplies);
      assertThat(reply.key()).isEqualTo("spring-key");
      JsonNode body = JSON.readTree(reply.value());
      assertThat(body.at("/hits/0/id").asText()).isEqualTo(target.id());
      byte[] sentCorrelation = future.getSendFuture().get().getProducerRecord().headers()
          .lastHeader(ReplyHeaders.CORRELATION_ID).value();
      assertThat(reply.headers().lastHeader(ReplyHeaders.CORRELATION_ID).value()).isEqualTo(sentCorrelation);
      assertThat(body.get("correlation_id").asText()).isEqualTo(Base64.getEncoder().encodeToString(sentCorrelation));
    } finally {
      template.stop();
      template.destroy();
    }
  }

  private KafkaConsumer<byte[], byte[]> replyConsumer() {
    Map<String, Object> c = stack.clientConfig();
    c.put("key.deserializer", ByteArrayDeserializer.class);
    c.put("value.deserializer", ByteArrayDeserializer.class);
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c);
    List<TopicPartition> partitions = List.of(new TopicPartition(REPLIES, 0));
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    partitions.forEach(consumer::position);
    return consumer;
  }

  private static byte[] uuidBytes() {
    UUID u = UUID.randomUUID();
    return ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits()).array();
  }
}
