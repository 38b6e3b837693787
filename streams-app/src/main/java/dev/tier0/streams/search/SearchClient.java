package dev.tier0.streams.search;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends search requests and completes each with its correlated reply. Thread-safe; one producer and one reply
 * listener per client. The listener reads every partition of the reply topic from its end at creation (no
 * consumer group), so several clients may share a reply topic: each ignores the replies it did not ask for.
 */
public final class SearchClient implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SearchClient.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String requestTopic;
  private final String replyTopic;
  private final KafkaProducer<byte[], byte[]> producer;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Map<ByteBuffer, CompletableFuture<SearchReply>> waiting = new ConcurrentHashMap<>();
  private final Thread listener;
  private volatile boolean closed;

  /**
   * A search as the client asks it; null fields take the server's defaults.
   *
   * @param filter          metadata key -> value (string, number, boolean: equality) or a map of operators
   *                        ({@code eq}, {@code in}, {@code gt}, {@code gte}, {@code lt}, {@code lte}); the key
   *                        {@code @timestamp} ranges over the record timestamp (ISO-8601 strings or epoch ms)
   * @param mode            "dense", "keyword" or "hybrid"
   * @param fusion          "rrf" or "weighted"
   * @param denseWeight     weighted fusion: the dense leg's weight in [0, 1]
   * @param recencyHalfLife e.g. "7d"
   */
  public record Query(String text, String tenant, Integer topK, Map<String, ?> filter, Float minScore, String mode,
                      String fusion, Float denseWeight, String recencyHalfLife) {
    public Query {
      Objects.requireNonNull(text, "text");
    }

    /** A query of the first request version. */
    public Query(String text, String tenant, Integer topK, Map<String, ?> filter, Float minScore) {
      this(text, tenant, topK, filter, minScore, null, null, null, null);
    }

    public static Query of(String text) {
      return new Query(text, null, null, null, null);
    }

    public Query tenant(String t) { return new Query(text, t, topK, filter, minScore, mode, fusion, denseWeight, recencyHalfLife); }
    public Query topK(int k) { return new Query(text, tenant, k, filter, minScore, mode, fusion, denseWeight, recencyHalfLife); }
    public Query filter(Map<String, ?> f) { return new Query(text, tenant, topK, f, minScore, mode, fusion, denseWeight, recencyHalfLife); }
    public Query minScore(float s) { return new Query(text, tenant, topK, filter, s, mode, fusion, denseWeight, recencyHalfLife); }
    public Query mode(String m) { return new Query(text, tenant, topK, filter, minScore, m, fusion, denseWeight, recencyHalfLife); }
    public Query rrf() { return new Query(text, tenant, topK, filter, minScore, mode, "rrf", null, recencyHalfLife); }
    public Query weighted(float dense) { return new Query(text, tenant, topK, filter, minScore, mode, "weighted", dense, recencyHalfLife); }
    public Query recencyHalfLife(String h) { return new Query(text, tenant, topK, filter, minScore, mode, fusion, denseWeight, h); }

    /** Only memories whose record timestamp is at or after {@code from} and before {@code until} (either may be null). */
    public Query between(Instant from, Instant until) {
      Map<String, Object> f = filter == null ? new LinkedHashMap<>() : new LinkedHashMap<>(filter);
      Map<String, Object> range = new LinkedHashMap<>();
      if (from != null) {
        range.put("gte", from.toString());
      }
      if (until != null) {
        range.put("lt", until.toString());
      }
      f.put("@timestamp", range);
      return filter(f);
    }

    /** The request JSON of the contract. */
    public byte[] toJson() {
      ObjectNode node = JSON.createObjectNode();
      node.put("query", text);
      if (tenant != null) {
        node.put("tenant", tenant);
      }
      if (topK != null) {
        node.put("top_k", topK);
      }
      if (mode != null) {
        node.put("mode", mode);
      }
      if (fusion != null) {
        node.put("fusion", fusion);
      }
      if (denseWeight != null) {
        node.put("dense_weight", denseWeight);
      }
      if (filter != null && !filter.isEmpty()) {
        node.set("filter", JSON.valueToTree(filter));
      }
      if (minScore != null) {
        node.put("min_score", minScore);
      }
      if (recencyHalfLife != null) {
        node.put("recency_half_life", recencyHalfLife);
      }
      try {
        return JSON.writeValueAsBytes(node);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /**
   * @param kafka  client properties (bootstrap.servers, security...); serializers and consumer group settings are
   *               the client's own
   */
  public SearchClient(Map<String, Object> kafka, String requestTopic, String replyTopic) {
    this.requestTopic = requestTopic;
    this.replyTopic = replyTopic;
    Map<String, Object> producerConfig = new HashMap<>(kafka);
    producerConfig.put(ProducerConfig.LINGER_MS_CONFIG, 0);  // a request is latency, not throughput
    producerConfig.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    producerConfig.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    Map<String, Object> consumerConfig = new HashMap<>(kafka);
    consumerConfig.remove(ConsumerConfig.GROUP_ID_CONFIG);
    consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    consumerConfig.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    consumerConfig.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    consumerConfig.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    consumerConfig.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
    this.producer = new KafkaProducer<>(producerConfig);
    this.consumer = new KafkaConsumer<>(consumerConfig);
    try {
      List<TopicPartition> partitions = new ArrayList<>();
      consumer.partitionsFor(replyTopic, Duration.ofSeconds(30))
          .forEach(p -> partitions.add(new TopicPartition(replyTopic, p.partition())));
      if (partitions.isEmpty()) {
        throw new IllegalStateException("reply topic " + replyTopic + " does not exist");
      }
      consumer.assign(partitions);
      consumer.seekToEnd(partitions);
      // Resolve the end offsets now: a reply produced after this line is one the listener will see.
      partitions.forEach(consumer::position);
    } catch (RuntimeException e) {
      producer.close(Duration.ZERO);
      consumer.close(Duration.ZERO);
      throw e;
    }
    this.listener = new Thread(this::listen, "tier0-search-client-replies");
    listener.setDaemon(true);
    listener.start();
  }

  /** Sends the query; the future completes with its reply, or exceptionally when sending fails. */
  public CompletableFuture<SearchReply> send(Query query) {
    return send(query.toJson());
  }

  /** Sends raw request bytes (any JSON, even malformed: the server answers those with an error). */
  public CompletableFuture<SearchReply> send(byte[] requestValue) {
    if (closed) {
      throw new IllegalStateException("search client closed");
    }
    byte[] correlationId = correlationId();
    CompletableFuture<SearchReply> reply = new CompletableFuture<>();
    ByteBuffer key = ByteBuffer.wrap(correlationId);
    waiting.put(key, reply);
    reply.whenComplete((r, e) -> waiting.remove(key));
    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(requestTopic, null, requestValue);
    record.headers().add(ReplyHeaders.REPLY_TOPIC, replyTopic.getBytes(StandardCharsets.UTF_8));
    record.headers().add(ReplyHeaders.CORRELATION_ID, correlationId);
    producer.send(record, (metadata, error) -> {
      if (error != null) {
        reply.completeExceptionally(error);
      }
    });
    return reply;
  }

  /** Sends and waits; a reply that does not come within the timeout is a {@link TimeoutException}. */
  public SearchReply search(Query query, Duration timeout) throws TimeoutException, InterruptedException {
    CompletableFuture<SearchReply> reply = send(query);
    try {
      return reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("request could not be sent", e.getCause());
    } catch (TimeoutException e) {
      reply.cancel(false);
      throw new TimeoutException("no reply on " + replyTopic + " within " + timeout.toMillis() + " ms");
    }
  }

  /** Requests still waiting for their reply. */
  public int inFlight() {
    return waiting.size();
  }

  private void listen() {
    try {
      while (!closed) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          Header header = record.headers().lastHeader(ReplyHeaders.CORRELATION_ID);
          if (header == null) {
            continue;
          }
          CompletableFuture<SearchReply> reply = waiting.remove(ByteBuffer.wrap(header.value()));
          if (reply != null) {
            try {
              reply.complete(SearchReplyCodec.decode(record.value()));
            } catch (RuntimeException e) {
              reply.completeExceptionally(e);
            }
          }
        }
      }
    } catch (WakeupException e) {
      // close() woke us up
    } catch (RuntimeException e) {
      LOG.error("reply listener on {} stopped", replyTopic, e);
      waiting.values().forEach(f -> f.completeExceptionally(e));
    } finally {
      consumer.close(Duration.ZERO);
    }
  }

  /** Random 16 bytes, like Spring's correlation ids: unique across clients sharing a reply topic. */
  private static byte[] correlationId() {
    UUID uuid = UUID.randomUUID();
    return ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits())
        .array();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    consumer.wakeup();
    try {
      listener.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(Duration.ofSeconds(5));
    waiting.values().forEach(f -> f.completeExceptionally(new IllegalStateException("search client closed")));
  }
}
