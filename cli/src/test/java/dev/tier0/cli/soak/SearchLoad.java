package dev.tier0.cli.soak;

import dev.tier0.streams.search.SearchClient;
import dev.tier0.streams.search.SearchReply;
import dev.tier0.streams.search.SearchReplyCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Searches at a steady rate for the whole run, and the account of their replies. Unlike {@link SearchClient}, which
 * completes a request on its first reply and ignores the rest, this counts every reply per correlation id, so a
 * duplicate or a missing reply is seen. Replies are read with read_committed from the reply topic's start.
 */
final class SearchLoad implements AutoCloseable {
  /** One request: when it was sent (ms since the run began), its replies, the first reply's latency and kind. */
  static final class Request {
    final long sentMs;
    volatile int replies;
    volatile long latencyMs = -1;
    volatile String outcome;   // "hits" or the error code
    volatile boolean retriable;
    volatile long replyAtMs;

    Request(long sentMs) {
      this.sentMs = sentMs;
    }
  }

  private final Map<ByteBuffer, Request> requests = new ConcurrentHashMap<>();
  private final KafkaProducer<byte[], byte[]> producer;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final String requestTopic;
  private final String replyTopic;
  private final long t0;
  private final ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "soak-search-sender"));
  private final Thread listener;
  private final Random random = new Random(7);
  private volatile boolean closed;
  volatile int unknownReplies;

  SearchLoad(String bootstrap, String requestTopic, String replyTopic, long t0) {
    this.requestTopic = requestTopic;
    this.replyTopic = replyTopic;
    this.t0 = t0;
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    producer = new KafkaProducer<>(p);
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    consumer = new KafkaConsumer<>(c);
    List<TopicPartition> parts = new ArrayList<>();
    consumer.partitionsFor(replyTopic, Duration.ofSeconds(30))
        .forEach(pi -> parts.add(new TopicPartition(replyTopic, pi.partition())));
    consumer.assign(parts);
    consumer.seekToBeginning(parts);
    listener = new Thread(this::listen, "soak-search-replies");
    listener.setDaemon(true);
    listener.start();
  }

  /** Starts sending {@code perSecond} requests a second (dense and hybrid alternating, random tenant). */
  void start(double perSecond) {
    long periodMicros = (long) (1_000_000 / perSecond);
    sender.scheduleAtFixedRate(this::sendOne, 0, periodMicros, TimeUnit.MICROSECONDS);
  }

  private void sendOne() {
    String[] words = {"garden", "dentist appointment", "flight ticket", "invoice from the supplier", "volcano",
        "birthday concert", "database server release", "bakery in the village"};
    String tenant = SoakData.TENANTS[random.nextInt(SoakData.TENANTS.length)];
    SearchClient.Query q = SearchClient.Query.of(words[random.nextInt(words.length)]).tenant(tenant).topK(5)
        .mode(requests.size() % 2 == 0 ? "dense" : "hybrid");
    UUID uuid = UUID.randomUUID();
    byte[] id = ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits())
        .array();
    requests.put(ByteBuffer.wrap(id), new Request(now()));
    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(requestTopic, null, q.toJson());
    record.headers().add("kafka_replyTopic", replyTopic.getBytes(StandardCharsets.UTF_8));
    record.headers().add("kafka_correlationId", id);
    producer.send(record);
  }

  private void listen() {
    while (!closed) {
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
        Header h = r.headers().lastHeader("kafka_correlationId");
        Request req = h == null ? null : requests.get(ByteBuffer.wrap(h.value()));
        if (req == null) {
          unknownReplies++;
          continue;
        }
        synchronized (req) {
          req.replies++;
          if (req.replies == 1) {
            req.replyAtMs = now();
            req.latencyMs = req.replyAtMs - req.sentMs;
            SearchReply reply = SearchReplyCodec.decode(r.value());
            if (reply instanceof SearchReply.Failure f) {
              req.outcome = f.code().name();
              req.retriable = f.code().retriable();
            } else {
              req.outcome = "hits";
            }
          }
        }
      }
    }
  }

  private long now() {
    return System.currentTimeMillis() - t0;
  }

  void stopSending() throws InterruptedException {
    sender.shutdown();
    sender.awaitTermination(10, TimeUnit.SECONDS);
    producer.flush();
  }

  /** Waits until every request has at least one reply, or the timeout passes. */
  void awaitReplies(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (requests.values().stream().anyMatch(r -> r.replies == 0) && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    Thread.sleep(2000); // late duplicates
  }

  List<Request> all() {
    return new ArrayList<>(requests.values());
  }

  @Override
  public void close() {
    closed = true;
    sender.shutdownNow();
    try {
      listener.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    consumer.close(Duration.ZERO);
    producer.close(Duration.ofSeconds(2));
  }
}
