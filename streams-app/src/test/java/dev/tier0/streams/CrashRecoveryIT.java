package dev.tier0.streams;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tier0.milvus.MemoryStore;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The app is killed (SIGKILL) while a whole batch waits in its pending store and the input offsets are already
 * committed; a new instance, on an empty state directory, must still store every record.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrashRecoveryIT {
  private static final int RECORDS = 400;
  private IntegrationStack stack;

  @BeforeAll
  void start() throws Exception {
    stack = new IntegrationStack("crash-recovery-it");
  }

  @AfterAll
  void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"at_least_once", "exactly_once_v2"})
  void shouldLoseNothingWhenKilledWithCommittedOffsetsAndABatchStillPending(String guarantee) throws Exception {
    String topic = "crash-in-" + guarantee;
    String applicationId = "tier0-crash-" + guarantee;
    stack.kafka.createTopics(List.of(new NewTopic(topic, 2, (short) 1)));
    Map<String, Object> config = stack.appConfig(applicationId);
    config.put("ingest.topic", topic);
    config.put("search.request.topic", "");
    config.put("milvus.collection", "crash_" + guarantee);
    config.put("processing.guarantee", guarantee);
    // The first instance never flushes on its own: every record is pending when it dies.
    config.put("ingest.batch.max.records", "1000000");
    config.put("ingest.batch.max.tokens", "100000000");
    config.put("ingest.flush.interval.ms", "3600000");

    Process first = launch(config, stack.workDir.resolve(applicationId + ".log"));
    try (MemoryStore store = stack.store(config.get("milvus.collection").toString());
         Admin admin = Admin.create(stack.kafka.adminConfig())) {
      produce(topic);
      Path log = stack.workDir.resolve(applicationId + ".log");
      IntegrationStack.await("all " + RECORDS + " input offsets committed", Duration.ofSeconds(120), () -> {
        if (!first.isAlive()) {
          throw new AssertionError("the app died on its own (exit " + first.exitValue() + "), see " + log);
        }
        return committed(admin, applicationId) == RECORDS;
      });
      assertThat(store.count()).as("nothing flushed before the kill").isZero();

      first.destroyForcibly();
      assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();

      config.put("ingest.flush.interval.ms", "200");
      config.put("state.dir", stack.workDir.resolve("fresh-state-" + guarantee).toString());
      try (StreamsApp second = StreamsApp.start(new AppConfig(config))) {
        IntegrationStack.await("all records stored after the restart", Duration.ofSeconds(120),
            () -> store.count() >= RECORDS);
        assertThat(store.count()).isEqualTo(RECORDS);
        assertThat(second.metrics().ingested()).isEqualTo(RECORDS);
      }
    } finally {
      first.destroyForcibly();
    }
  }

  private void produce(String topic) {
    Map<String, Object> c = stack.kafka.producerConfig();
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(c, new StringSerializer(),
        new StringSerializer())) {
      for (Corpus.Entry e : Corpus.generate(RECORDS, 99)) {
        producer.send(new ProducerRecord<>(topic, e.id(), Corpus.json(e)));
      }
    }
  }

  private static long committed(Admin admin, String groupId) {
    try {
      Map<?, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(groupId)
          .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
      return offsets.values().stream().filter(o -> o != null).mapToLong(OffsetAndMetadata::offset).sum();
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** The app's own main in a child JVM, so it can be killed for real. */
  private static Process launch(Map<String, Object> config, Path log) throws IOException {
    Path file = log.resolveSibling(log.getFileName() + ".properties");
    Properties props = new Properties();
    config.forEach((k, v) -> props.setProperty(k, v.toString()));
    try (OutputStream out = Files.newOutputStream(file)) {
      props.store(out, "crash test");
    }
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx768m", "-cp", System.getProperty("java.class.path"), StreamsApp.class.getName(), file.toString()));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }
}
