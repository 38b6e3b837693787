package dev.tier0.connect.it;

import static dev.tier0.connect.it.SinkStack.record;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tier0.milvus.Hit;
import dev.tier0.milvus.MemoryStore;
import dev.tier0.milvus.SearchQuery;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Long memories through the packaged plugin in a real Connect worker, a real broker and Milvus Lite (issue 12).
 * Every write happens across a task restart in the middle of its batch: Milvus is stopped, the records are
 * produced and the task fails to write them (they stay uncommitted), the task is restarted, Milvus comes back.
 */
class ChunkedSinkIT {
  private static final Duration TIMEOUT = Duration.ofMinutes(4);
  private static final String TOPIC = "long-memories";
  private static final String COLLECTION = "long_sink_it";

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

  static String filler(int words, long seed) {
    String[] vocab = {"the", "tomatoes", "grew", "tall", "this", "summer", "and", "rain", "came", "often", "in",
        "july", "we", "planted", "beans", "near", "fence", "neighbours", "visited", "for", "tea", "afternoon"};
    Random r = new Random(seed);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < words; i++) {
      sb.append(vocab[r.nextInt(vocab.length)]).append(i % 12 == 11 ? ". " : " ");
    }
    return sb.toString();
  }

  private static ProducerRecord<String, String> memory(String id, String text) {
    return record(TOPIC, id, Envelopes.schemaless(Map.of("text", text, "tenant", "t1")));
  }

  @Test
  void longMemoriesAreSearchableAndReplacedOrDeletedWholeAcrossATaskRestartMidBatch() throws Exception {
    stack.kafka.createTopics(TOPIC);
    Map<String, String> config = stack.sinkConfig(TOPIC, COLLECTION, 1);
    config.put("record.tenant.field", "tenant");
    config.put("chunk.max.tokens", "32");
    config.put("chunk.overlap.tokens", "0");
    config.put("write.retry.max.retries", "1");
    config.put("write.retry.backoff.max.ms", "500");
    stack.connect.createConnector(TOPIC, config);
    try {
      // the collection exists before the outage (the task ensures it on its first write)
      stack.produce(TOPIC, List.of(memory("car", "My car keys are usually on the hook in the hallway.")));
      stack.awaitCount(COLLECTION, c -> c == 1, TIMEOUT);

      String shed = filler(400, 1)
          + "The spare key to the garden shed is hidden under the blue flower pot by the back door.";
      List<ProducerRecord<String, String>> first = new ArrayList<>();
      first.add(memory("shed", shed));
      first.add(memory("notes", filler(300, 3))); // about 350 tokens: more than 10 passages of 32
      for (int m = 0; m < 5; m++) {
        StringBuilder text = new StringBuilder();
        for (int c = 0; c < 20; c++) { // about 15 tokens each: more than 10 passages of 32 tokens
          text.append("Volcano eruption report ").append(m).append('.').append(c)
              .append(": lava flows and ash clouds near the summit crater. ");
        }
        first.add(memory("volcano" + m, text.toString()));
      }
      restartTaskMidBatch(first);
      stack.awaitCount(COLLECTION, c -> chunks("volcano4") >= 10 && chunks("shed") > 1
          && chunks("notes") >= 10, TIMEOUT);
      stack.awaitCommittedToEnd(TOPIC, TOPIC, TIMEOUT);
      long notesBefore = chunks("notes");

      List<float[]> queries = SeparateJvmEmbedder.embed(List.of("where is the garden shed key hidden",
          "lava flows from the volcano"), 8, true, work).vectors();
      MemoryStore store = stack.store(COLLECTION);
      List<Hit> shedHits = store.search(new SearchQuery(queries.get(0), "t1", 2, Map.of(), 0, null));
      assertThat(shedHits.get(0).id()).isEqualTo("shed");
      assertThat(shedHits.get(0).passage()).contains("garden shed");
      assertThat(shedHits.get(0).text()).isEqualTo(shed);
      assertThat(shedHits.get(1).id()).isEqualTo("car");
      List<Hit> volcanoes = store.search(new SearchQuery(queries.get(1), "t1", 3, Map.of(), 0, null));
      assertThat(volcanoes.stream().map(Hit::id).distinct()).hasSize(3).allMatch(id -> id.startsWith("volcano"));

      List<ProducerRecord<String, String>> second = new ArrayList<>();
      second.add(memory("notes", filler(25, 4)));
      second.add(record(TOPIC, "shed", null)); // tombstone
      restartTaskMidBatch(second);
      stack.awaitCount(COLLECTION, c -> chunks("shed") == 0 && chunks("notes") < notesBefore,
          TIMEOUT);
      stack.awaitCommittedToEnd(TOPIC, TOPIC, TIMEOUT);
      float[] anything = queries.get(0);
      store = stack.store(COLLECTION);
      Hit notes = store.search(new SearchQuery(anything, "t1", 10, Map.of(), 0, null)).stream()
          .filter(h -> h.id().equals("notes")).findFirst().orElseThrow();
      assertThat(chunks("notes")).as("exactly the new version's passages").isEqualTo(notes.chunkCount())
          .isBetween(1L, 3L);
      assertThat(chunks("car")).isEqualTo(1);
    } finally {
      stack.connect.deleteConnector(TOPIC);
    }
  }

  /**
   * Stops Milvus, produces the records, waits until the task has failed to write them (so they are in its batch,
   * uncommitted), restarts the task, then brings Milvus back.
   */
  private static void restartTaskMidBatch(List<ProducerRecord<String, String>> records) throws Exception {
    long failuresBefore = PluginJmx.sinkMetric("TransientStoreFailures");
    stack.milvus.stop();
    stack.produce(TOPIC, records);
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (PluginJmx.sinkMetric("TransientStoreFailures") == failuresBefore) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the task never tried to write the batch");
      }
      Thread.sleep(200);
    }
    stack.connect.restartTask(TOPIC, 0);
    stack.milvus.restart();
    stack.connect.awaitRunning(TOPIC, 1, TIMEOUT);
  }

  /** Rows of one memory, or -1 while Milvus is not back; a connection broken by the restart is replaced. */
  private static long chunks(String memoryId) {
    try {
      return stack.store(COLLECTION).countChunks(memoryId);
    } catch (RuntimeException e) {
      stack.count(COLLECTION); // drops the broken connection
      return -1;
    }
  }
}
