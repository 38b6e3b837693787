package dev.tier0.connect.it;

import dev.tier0.local.LocalConnect;
import dev.tier0.local.LocalKafka;
import dev.tier0.milvus.MemoryStore;
import dev.tier0.milvus.MilvusConfig;
import dev.tier0.milvus.MilvusLite;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.LongPredicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The real pieces the sink meets in production, all local: a KRaft broker, a distributed Connect worker that finds
 * the connector only through plugin.path (the packaged plugin, as built by {@code package}), and a Milvus Lite
 * server. Shared by the integration tests and the benchmark.
 */
public final class SinkStack implements AutoCloseable {
  public static final String CONNECTOR_CLASS = "dev.tier0.connect.Tier0SinkConnector";

  public final LocalKafka kafka;
  public final MilvusLite milvus;
  public final LocalConnect connect;
  private final Map<String, MemoryStore> stores = new HashMap<>();

  private SinkStack(LocalKafka kafka, MilvusLite milvus, LocalConnect connect) {
    this.kafka = kafka;
    this.milvus = milvus;
    this.connect = connect;
  }

  public static SinkStack start(Path workDir) {
    return start(workDir, Map.of());
  }

  /** As {@link #start(Path)}, with worker settings that replace LocalConnect's defaults (e.g. config providers). */
  public static SinkStack start(Path workDir, Map<String, String> workerOverrides) {
    LocalKafka kafka = LocalKafka.start();
    MilvusLite milvus = null;
    try {
      milvus = MilvusLite.start(workDir.resolve("milvus"));
      LocalConnect connect = LocalConnect.start(kafka.bootstrapServers(), List.of(pluginPath()), workerOverrides);
      return new SinkStack(kafka, milvus, connect);
    } catch (RuntimeException e) {
      if (milvus != null) {
        milvus.close();
      }
      kafka.close();
      throw e;
    }
  }

  /** target/plugin: the directory that holds the built plugin directory tier0-connector/. */
  public static Path pluginPath() {
    Path path = Path.of(System.getProperty("tier0.connector.plugin.path", "target/plugin"));
    if (!Files.isRegularFile(path.resolve("tier0-connector").resolve("manifest.json"))) {
      throw new IllegalStateException("no packaged plugin under " + path.toAbsolutePath()
          + ": run the integration tests through Maven (mvn verify), which packages it first");
    }
    return path;
  }

  /**
   * A sink on {@code topic} into {@code collection}. Keys are strings; values go through JsonConverter with
   * schemas so one topic can carry strings, schemaless JSON and Structs. Milvus is addressed as localhost so
   * the plugin's gRPC must resolve a DNS name. Bad records go to {@code <topic>-dlq} with the reason in headers.
   */
  public Map<String, String> sinkConfig(String topic, String collection, int tasks) {
    Map<String, String> config = new HashMap<>();
    config.put("connector.class", CONNECTOR_CLASS);
    config.put("tasks.max", Integer.toString(tasks));
    config.put("topics", topic);
    config.put("milvus.uri", "http://localhost:" + milvus.port());
    config.put("milvus.collection", collection);
    config.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
    config.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
    config.put("value.converter.schemas.enable", "true");
    config.put("errors.tolerance", "all");
    config.put("errors.deadletterqueue.topic.name", topic + "-dlq");
    config.put("errors.deadletterqueue.topic.replication.factor", "1");
    config.put("errors.deadletterqueue.context.headers.enable", "true");
    return config;
  }

  /** Writes the records; fails on the first the broker did not take, which would otherwise show as a count timeout. */
  public void produce(String topic, List<ProducerRecord<String, String>> records) {
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(kafka.producerConfig())) {
      List<Future<RecordMetadata>> sent = records.stream().map(producer::send).toList();
      producer.flush();
      for (Future<RecordMetadata> record : sent) {
        record.get();
      }
    } catch (InterruptedException | ExecutionException e) {
      throw new IllegalStateException("a record was not written to " + topic, e);
    }
  }

  public static ProducerRecord<String, String> record(String topic, String key, String value) {
    return new ProducerRecord<>(topic, key, value);
  }

  /** The collection's row count, or -1 while Milvus or the collection is not there (yet). */
  public long count(String collection) {
    try {
      MemoryStore store = store(collection);
      return store.existingDimension().isPresent() ? store.count() : -1;
    } catch (RuntimeException e) {
      MemoryStore broken = stores.remove(collection);
      if (broken != null) {
        broken.close();
      }
      return -1;
    }
  }

  /** Polls the count until it satisfies {@code condition}; returns the last count. */
  public long awaitCount(String collection, LongPredicate condition, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long count = count(collection);
    while (!condition.test(count)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("collection " + collection + " has " + count + " memories after " + timeout);
      }
      Thread.sleep(250);
      count = count(collection);
    }
    return count;
  }

  public MemoryStore store(String collection) {
    return stores.computeIfAbsent(collection, c -> MemoryStore.connect(MilvusConfig.builder()
        .uri(milvus.uri()).collection(c).build()));
  }

  /** Waits until the connector's consumer group has committed every partition of the topic to its end. */
  public void awaitCommittedToEnd(String connector, String topic, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Admin admin = Admin.create(kafka.adminConfig())) {
      int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < partitions; p++) {
        latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      Map<TopicPartition, Long> ends = admin.listOffsets(latest).all().get().entrySet().stream()
          .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
      while (true) {
        Map<TopicPartition, OffsetAndMetadata> committed = committed(admin, "connect-" + connector);
        boolean atEnd = ends.entrySet().stream().allMatch(e -> committed.get(e.getKey()) != null
            && committed.get(e.getKey()).offset() == e.getValue());
        if (atEnd) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new AssertionError("connector " + connector + " committed " + committed + ", topic ends at " + ends);
        }
        Thread.sleep(250);
      }
    }
  }

  private static Map<TopicPartition, OffsetAndMetadata> committed(Admin admin, String group)
      throws InterruptedException, ExecutionException {
    return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
  }

  @Override
  public void close() {
    stores.values().forEach(MemoryStore::close);
    connect.close();
    milvus.close();
    kafka.close();
  }
}
