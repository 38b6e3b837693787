package dev.tier0.streams;

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
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.NewTopic;

/** A real broker and a real Milvus Lite for one test class, plus the app configuration that points at them. */
final class IntegrationStack implements AutoCloseable {
  static final String INGEST = "memories";
  static final String DEAD_LETTERS = "memories.dlq";
  static final String REQUESTS = "search.requests";
  static final String REPLIES = "search.replies";

  final Path workDir;
  final LocalKafka kafka;
  final MilvusLite milvus;
  final String collection;

  IntegrationStack(String name) throws Exception {
    workDir = Files.createTempDirectory("tier0-" + name + "-");
    kafka = LocalKafka.start();
    MilvusLite lite;
    try {
      lite = MilvusLite.start(workDir.resolve("milvus"));
    } catch (RuntimeException e) {
      kafka.close();
      throw e;
    }
    milvus = lite;
    collection = name.replace('-', '_');
    kafka.createTopics(List.of(new NewTopic(INGEST, 2, (short) 1), new NewTopic(DEAD_LETTERS, 1, (short) 1),
        new NewTopic(REQUESTS, 2, (short) 1), new NewTopic(REPLIES, 1, (short) 1)));
  }

  /** The app's configuration for this stack; tests override what they need. */
  Map<String, Object> appConfig(String applicationId) {
    Map<String, Object> c = new HashMap<>();
    c.put("application.id", applicationId);
    c.put("bootstrap.servers", kafka.bootstrapServers());
    c.put("state.dir", workDir.resolve("state-" + applicationId + "-" + System.nanoTime()).toString());
    c.put("commit.interval.ms", "100");
    c.put("ingest.topic", INGEST);
    c.put("search.request.topic", REQUESTS);
    c.put("search.reply.topic", REPLIES);
    c.put("errors.dead.letter.queue.topic.name", DEAD_LETTERS);
    c.put("milvus.uri", milvus.uri());
    c.put("milvus.collection", collection);
    c.put("record.id.strategy", "field");
    c.put("record.id.field", "id");
    c.put("record.tenant.field", "tenant");
    c.put("health.port", "0");
    c.put("health.host", "127.0.0.1");
    return c;
  }

  MemoryStore store() {
    return store(collection);
  }

  MemoryStore store(String collectionName) {
    return MemoryStore.connect(MilvusConfig.builder().uri(milvus.uri()).collection(collectionName).build());
  }

  static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
      }
      Thread.sleep(200);
    }
  }

  Map<String, Object> clientConfig() {
    Map<String, Object> c = new HashMap<>();
    c.put("bootstrap.servers", kafka.bootstrapServers());
    return c;
  }

  @Override
  public void close() {
    try {
      milvus.close();
    } finally {
      kafka.close();
    }
  }
}
