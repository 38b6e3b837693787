package dev.tier0.cli.soak;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tier0.local.ConnectRestClient;
import dev.tier0.local.LocalKafka;
import dev.tier0.milvus.MilvusLite;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * SIGTERM in the middle of ingest, in both runtimes (issue 15): a Connect worker running the packaged plugin and a
 * streams-app instance, each in a JVM of its own, against an in-process broker and Milvus Lite. After the JVM has
 * exited, every record below the group's committed offset of its partition is in Milvus (a committed offset never
 * runs ahead of the store); after a restart, every record is stored exactly once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GracefulShutdownIT {
  private static final int RECORDS = 1200;
  private static final Duration TIMEOUT = Duration.ofMinutes(5);

  Path work;
  LocalKafka kafka;
  MilvusLite milvus;
  Admin admin;

  @BeforeAll
  void start() throws java.io.IOException {
    work = Files.createTempDirectory("tier0-graceful-");
    kafka = LocalKafka.start();
    milvus = MilvusLite.start(work.resolve("milvus"));
    admin = Admin.create(kafka.adminConfig());
  }

  @AfterAll
  void stop() {
    if (admin != null) {
      admin.close();
    }
    if (milvus != null) {
      milvus.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void connectWorkerStoppedBySigtermCommitsOnlyWhatMilvusHoldsAndLosesNothing() throws Exception {
    String topic = "graceful-connect";
    String collection = "graceful_connect";
    Map<Integer, List<String>> ids = produce(topic);
    int port = Soak.freePort();
    ChildJvm worker = new ChildJvm("graceful-connect", "org.apache.kafka.connect.cli.ConnectDistributed", "1g", work);
    Map<String, String> props = new HashMap<>();
    props.put("bootstrap.servers", kafka.bootstrapServers());
    props.put("group.id", "graceful-connect");
    props.put("config.storage.topic", "graceful-configs");
    props.put("offset.storage.topic", "graceful-offsets");
    props.put("status.storage.topic", "graceful-status");
    props.put("config.storage.replication.factor", "1");
    props.put("offset.storage.replication.factor", "1");
    props.put("status.storage.replication.factor", "1");
    props.put("listeners", "http://127.0.0.1:" + port);
    props.put("plugin.path", Path.of(System.getProperty("tier0.home", "..")).resolve("connector/target/plugin")
        .toAbsolutePath().toString());
    props.put("plugin.discovery", "service_load");
    props.put("scheduled.rebalance.max.delay.ms", "0");
    props.put("offset.flush.interval.ms", "1000");
    props.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
    props.put("value.converter", "org.apache.kafka.connect.storage.StringConverter");
    ConnectRestClient rest = new ConnectRestClient(URI.create("http://127.0.0.1:" + port + "/"));
    Map<String, String> connector = new HashMap<>();
    connector.put("connector.class", "dev.tier0.connect.Tier0SinkConnector");
    connector.put("tasks.max", "2");
    connector.put("topics", topic);
    connector.put("model.execution.provider", "cpu");
    connector.put("milvus.uri", milvus.uri());
    connector.put("milvus.collection", collection);
    connector.put("record.id.strategy", "field");
    connector.put("record.id.field", "id");
    connector.put("record.tenant.field", "tenant");
    connector.put("write.batch.max.records", "32"); // many small writes: the SIGTERM lands between them
    connector.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
    connector.put("value.converter.schemas.enable", "false");

    worker.start(props);
    Soak.await("worker healthy", TIMEOUT, rest::isHealthy);
    rest.createConnector("graceful", connector);
    rest.awaitRunning("graceful", 2, TIMEOUT);
    Soak.await("some records stored", TIMEOUT, () -> Verifier.count(milvus.uri(), collection) >= 64);
    assertThat(worker.terminate(60)).as("the worker exits within 60 s of SIGTERM").isTrue();
    assertThat(Verifier.count(milvus.uri(), collection)).as("stopped mid-ingest").isLessThan(RECORDS);

    assertCommittedIsStored("connect-graceful", topic, ids, collection);

    worker.start(props);
    Soak.await("worker healthy again", TIMEOUT, rest::isHealthy);
    rest.awaitRunning("graceful", 2, TIMEOUT);
    Soak.await("every record committed", TIMEOUT, () -> committed("connect-graceful", topic, 0)
        + committed("connect-graceful", topic, 1) == RECORDS);
    assertExactlyOnce(ids, collection);
    worker.terminate(60);
  }

  @Test
  void streamsAppStoppedBySigtermFlushesWhatItCommittedAndLosesNothing() throws Exception {
    String topic = "graceful-streams";
    String collection = "graceful_streams";
    Map<Integer, List<String>> ids = produce(topic);
    int healthPort = Soak.freePort();
    ChildJvm app = new ChildJvm("graceful-streams", "dev.tier0.streams.StreamsApp", "1g", work);
    Map<String, String> props = new HashMap<>();
    props.put("application.id", "graceful-streams");
    props.put("bootstrap.servers", kafka.bootstrapServers());
    props.put("state.dir", work.resolve("graceful-state").toString());
    props.put("ingest.topic", topic);
    props.put("search.request.topic", "");
    props.put("milvus.uri", milvus.uri());
    props.put("milvus.collection", collection);
    props.put("model.execution.provider", "cpu");
    props.put("record.id.strategy", "field");
    props.put("record.id.field", "id");
    props.put("record.tenant.field", "tenant");
    props.put("write.batch.max.records", "32");
    props.put("health.host", "127.0.0.1");
    props.put("health.port", Integer.toString(healthPort));
    app.start(props);
    Soak.await("some records stored", TIMEOUT, () -> {
      if (!app.isAlive()) {
        throw new AssertionError("the app exited; see " + app.logFile());
      }
      return Verifier.count(milvus.uri(), collection) >= 64;
    });
    assertThat(app.terminate(60)).as("the app exits within 60 s of SIGTERM").isTrue();
    assertThat(Verifier.count(milvus.uri(), collection)).as("stopped mid-ingest").isLessThan(RECORDS);

    assertCommittedIsStored("graceful-streams", topic, ids, collection);

    app.start(props);
    Soak.await("every record stored after the restart", TIMEOUT,
        () -> Verifier.count(milvus.uri(), collection) == RECORDS);
    assertExactlyOnce(ids, collection);
    app.terminate(60);
  }

  /** Produces RECORDS one-passage memories over 2 partitions; returns each partition's ids in offset order. */
  private Map<Integer, List<String>> produce(String topic) throws Exception {
    kafka.createTopics(List.of(new NewTopic(topic, 2, (short) 1)));
    Map<Integer, List<String>> ids = new HashMap<>();
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(kafka.producerConfig())) {
      List<java.util.concurrent.Future<RecordMetadata>> sent = new ArrayList<>();
      for (int i = 0; i < RECORDS; i++) {
        String id = "g" + i;
        sent.add(producer.send(new ProducerRecord<>(topic, id, "{\"id\":\"" + id + "\",\"tenant\":\"t1\",\"text\":\"memory "
            + i + " of the graceful shutdown test, about garden tools and a dentist visit\"}")));
      }
      producer.flush();
      for (int i = 0; i < RECORDS; i++) {
        RecordMetadata m = sent.get(i).get();
        List<String> partition = ids.computeIfAbsent(m.partition(), p -> new ArrayList<>());
        while (partition.size() <= m.offset()) {
          partition.add(null);
        }
        partition.set((int) m.offset(), "g" + i);
      }
    }
    return ids;
  }

  private long committed(String group, String topic, int partition) {
    try {
      Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
      OffsetAndMetadata o = offsets.get(new TopicPartition(topic, partition));
      return o == null ? 0 : o.offset();
    } catch (Exception e) {
      return -1;
    }
  }

  private void assertCommittedIsStored(String group, String topic, Map<Integer, List<String>> ids, String collection) {
    long total = 0;
    for (Map.Entry<Integer, List<String>> p : ids.entrySet()) {
      long committed = committed(group, topic, p.getKey());
      total += committed;
      List<String> below = p.getValue().subList(0, (int) committed).stream().map(id -> id + "#0").toList();
      Set<String> stored = Verifier.present(milvus.uri(), collection, below);
      assertThat(below).as("records below the committed offset %d of partition %d are in Milvus", committed,
          p.getKey()).allMatch(stored::contains);
    }
    assertThat(total).as("something was committed before the SIGTERM").isPositive();
  }

  private void assertExactlyOnce(Map<Integer, List<String>> ids, String collection) {
    List<String> all = ids.values().stream().flatMap(List::stream).map(id -> id + "#0").toList();
    assertThat(Verifier.present(milvus.uri(), collection, all)).hasSize(RECORDS);
    assertThat(Verifier.count(milvus.uri(), collection)).isEqualTo(RECORDS);
  }
}
