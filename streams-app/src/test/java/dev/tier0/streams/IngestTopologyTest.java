package dev.tier0.streams;

import static dev.tier0.streams.TopologyHarness.FLUSH_INTERVAL;
import static dev.tier0.streams.TopologyHarness.RETRY_BACKOFF;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tier0.memory.MappingConfig;
import dev.tier0.streams.ingest.IngestProcessor;
import dev.tier0.streams.ingest.PendingRecord;
import dev.tier0.streams.search.SearchLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IngestTopologyTest {
  @TempDir
  Path stateDir;
  private TopologyHarness app;

  @BeforeEach
  void start() {
    app = new TopologyHarness(stateDir);
  }

  @AfterEach
  void stop() {
    app.close();
  }

  private void send(String key, String value) {
    app.ingest.pipeInput(key == null ? null : key.getBytes(UTF_8), value == null ? null : value.getBytes(UTF_8));
  }

  private static String memory(String id, String tenant, String text) {
    return "{\"id\":\"" + id + "\",\"tenant\":\"" + tenant + "\",\"text\":\"" + text + "\",\"kind\":\"note\"}";
  }

  private KeyValueStore<String, PendingRecord> pending() {
    return app.driver.getKeyValueStore(IngestProcessor.STORE);
  }

  @Test
  void shouldParkRecordsInTheStoreUntilTheBatchIsFullThenEmbedAndUpsertThemTogether() {
    send(null, memory("a", "t1", "the cat sat on the mat"));
    send(null, memory("b", "t1", "quarterly revenue grew by ten percent"));
    assertThat(app.index.rows).isEmpty();
    assertThat(pending().approximateNumEntries()).isEqualTo(2);

    send(null, memory("c", "t2", "remember to water the plants"));
    assertThat(app.index.rows).containsOnlyKeys("a", "b", "c");
    assertThat(app.index.upsertCalls).hasValue(1);
    assertThat(pending().approximateNumEntries()).isZero();

    dev.tier0.milvus.StoredMemory c = app.index.rows.get("c");
    assertThat(c.tenant()).isEqualTo("t2");
    assertThat(c.metadata()).isEqualTo(Map.of("kind", "note"));
    assertThat(c.topic()).isEqualTo(TopologyHarness.INGEST);
    assertThat(c.offset()).isEqualTo(2L);
    assertThat(c.model()).isEqualTo(TestModel.embedder().modelName());
    float[] expected = TestModel.embedder().embedDocuments(List.of("remember to water the plants")).get(0);
    assertThat(InMemoryIndex.cosine(c.vector(), expected)).isCloseTo(1f, within(1e-5f));
    assertThat(app.metrics.ingested()).isEqualTo(3);
  }

  @Test
  void shouldFlushAPartialBatchWhenThePunctuationIntervalPasses() {
    send(null, memory("a", "t1", "a lonely record"));
    app.tick(FLUSH_INTERVAL.minusMillis(1));
    assertThat(app.index.rows).isEmpty();
    app.tick(Duration.ofMillis(1));
    assertThat(app.index.rows).containsOnlyKeys("a");
    assertThat(pending().approximateNumEntries()).isZero();
  }

  @Test
  void shouldWritePendingRecordsOnACleanShutdown() {
    send(null, memory("a", "t1", "written at shutdown"));
    assertThat(app.index.rows).isEmpty();
    app.close();
    assertThat(app.index.rows).containsOnlyKeys("a");
  }

  @Test
  void shouldFlushWhenThePendingTextsReachTheTokenBudget() {
    app.close();
    MappingConfig mapping = MappingConfig.builder().build();
    app = new TopologyHarness(stateDir, 1000, 12, 8, mapping, SearchLimits.defaults());
    send("k1", "one two three four five");
    assertThat(app.index.rows).isEmpty();
    send("k2", "six seven eight nine ten eleven");
    assertThat(app.index.rows).containsOnlyKeys("k1", "k2");
  }

  @Test
  void shouldDeleteOnATombstoneAndLetTheLaterWriteToAnIdWinWithinABatch() {
    app.close();
    app = new TopologyHarness(stateDir, 3, 100_000, 8, MappingConfig.builder().build(), SearchLimits.defaults());
    send("a", "first version of a");
    send("b", "b stays");
    send("a", "second version of a");
    app.tick(FLUSH_INTERVAL);
    assertThat(app.index.rows.get("a").text()).isEqualTo("second version of a");
    assertThat(app.metrics.ingested()).isEqualTo(2);

    send("a", null);
    send("c", "c is written and deleted in the same batch");
    send("c", null);
    app.tick(FLUSH_INTERVAL);
    assertThat(app.index.rows).containsOnlyKeys("b");
    assertThat(app.metrics.deleted()).isEqualTo(2);
  }

  @Test
  void shouldDeleteWhenTheDeleteMarkerIsTrueAsATombstoneDoes() {
    app.close();
    app = new TopologyHarness(stateDir, 3, 100_000, 8, MappingConfig.builder().textField("body")
        .deleteField("__deleted").build(), SearchLimits.defaults());
    // rows as Debezium's ExtractNewRecordState (delete.tombstone.handling.mode=rewrite) writes them
    send("1", "{\"id\":1,\"body\":\"the first row\",\"__deleted\":\"false\"}");
    send("2", "{\"id\":2,\"body\":\"the second row\",\"__deleted\":\"false\"}");
    app.tick(FLUSH_INTERVAL);
    assertThat(app.index.rows).containsOnlyKeys("1", "2");
    assertThat(app.index.rows.get("1").metadata()).doesNotContainKey("__deleted");

    send("2", "{\"id\":2,\"body\":\"the second row\",\"__deleted\":\"true\"}");
    app.tick(FLUSH_INTERVAL);
    assertThat(app.index.rows).containsOnlyKeys("1");
    assertThat(app.metrics.deleted()).isEqualTo(1);
    assertThat(app.deadLetters.isEmpty()).isTrue();
  }

  @Test
  void shouldSendRejectedRecordsToTheDeadLetterTopicWithTheReasonAndKeepGoing() {
    send("k", "{\"id\":\"x\",\"text\":\"   \"}");
    send(null, memory("ok", "t1", "a good record after a bad one"));
    app.tick(FLUSH_INTERVAL);

    TestRecord<byte[], byte[]> dead = app.deadLetters.readRecord();
    assertThat(new String(dead.value(), UTF_8)).isEqualTo("{\"id\":\"x\",\"text\":\"   \"}");
    assertThat(header(dead, "__streams.errors.message")).contains("blank text");
    assertThat(header(dead, "__streams.errors.offset")).isEqualTo("0");
    assertThat(app.deadLetters.isEmpty()).isTrue();
    assertThat(app.index.rows).containsOnlyKeys("ok");
    assertThat(app.metrics.rejected()).isEqualTo(1);
  }

  @Test
  void shouldHandUndecodableRecordsToTheDeserializationHandlerWithoutStoppingTheThread() {
    app.ingest.pipeInput("k".getBytes(UTF_8), new byte[] {(byte) 0xC3, (byte) 0x28});
    send(null, "{\"id\": \"broken");
    send(null, memory("ok", "t1", "still ingesting"));
    app.tick(FLUSH_INTERVAL);

    assertThat(app.metrics.undecodable()).isEqualTo(2);
    List<TestRecord<byte[], byte[]>> dead = app.deadLetters.readRecordsToList();
    assertThat(dead).hasSize(2);
    assertThat(dead.get(0).value()).containsExactly((byte) 0xC3, (byte) 0x28);
    assertThat(header(dead.get(0), "__streams.errors.exception")).contains("SerializationException");
    assertThat(app.index.rows).containsOnlyKeys("ok");
  }

  @Test
  void shouldKeepPendingWritesWhileTheStoreIsDownAndWriteThemWhenItIsBack() {
    app.index.available = false;
    send(null, memory("a", "t1", "one"));
    send(null, memory("b", "t1", "two"));
    send(null, memory("c", "t1", "three"));
    assertThat(pending().approximateNumEntries()).isEqualTo(3);
    app.tick(FLUSH_INTERVAL);
    assertThat(pending().approximateNumEntries()).isEqualTo(3);

    app.index.available = true;
    app.tick(FLUSH_INTERVAL);
    assertThat(app.index.rows).as("still backing off").isEmpty();
    app.tick(RETRY_BACKOFF);
    assertThat(app.index.rows).containsOnlyKeys("a", "b", "c");
    assertThat(pending().approximateNumEntries()).isZero();
  }

  private static String header(TestRecord<byte[], byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), UTF_8);
  }
}
