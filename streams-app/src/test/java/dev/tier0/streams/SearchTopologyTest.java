package dev.tier0.streams;

import static dev.tier0.streams.TopologyHarness.FLUSH_INTERVAL;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tier0.streams.search.ReplyHeaders;
import dev.tier0.streams.search.SearchProcessor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SearchTopologyTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir
  Path stateDir;
  private TopologyHarness app;

  @BeforeEach
  void start() {
    app = new TopologyHarness(stateDir);
    ingest("m1", "acme", "note", "the quarterly board meeting moved to thursday");
    ingest("m2", "acme", "todo", "buy oat milk and coffee beans");
    ingest("m3", "acme", "note", "the dentist appointment is on monday at nine");
    ingest("m4", "globex", "todo", "buy oat milk and coffee beans");
    app.tick(FLUSH_INTERVAL);
    assertThat(app.index.rows).hasSize(4);
  }

  @AfterEach
  void stop() {
    app.close();
  }

  private void ingest(String id, String tenant, String kind, String text) {
    app.ingest.pipeInput(null, ("{\"id\":\"" + id + "\",\"tenant\":\"" + tenant + "\",\"kind\":\"" + kind
        + "\",\"text\":\"" + text + "\"}").getBytes(UTF_8));
  }

  private void request(String key, String body, byte[] correlationId, String replyTopic) {
    RecordHeaders headers = new RecordHeaders();
    if (correlationId != null) {
      headers.add(ReplyHeaders.CORRELATION_ID, correlationId);
    }
    if (replyTopic != null) {
      headers.add(ReplyHeaders.REPLY_TOPIC, replyTopic.getBytes(UTF_8));
    }
    app.requests.pipeInput(new TestRecord<>(key == null ? null : key.getBytes(UTF_8), body.getBytes(UTF_8), headers));
  }

  private static JsonNode json(TestRecord<byte[], byte[]> reply) throws Exception {
    return JSON.readTree(reply.value());
  }

  @Test
  void shouldReplyOnTheRequestedTopicWithHitsEchoingTheCorrelationIdBytesAndTheKey() throws Exception {
    byte[] correlation = {0, (byte) 0xFF, 7, (byte) 0x80, 42};
    request("req-1", "{\"query\":\"buy oat milk and coffee beans\",\"tenant\":\"acme\",\"top_k\":2}", correlation,
        TopologyHarness.OTHER_REPLIES);
    app.tick(Duration.ofMillis(1));

    assertThat(app.replies.isEmpty()).isTrue();
    TestRecord<byte[], byte[]> reply = app.otherReplies.readRecord();
    assertThat(new String(reply.key(), UTF_8)).isEqualTo("req-1");
    assertThat(reply.headers().lastHeader(ReplyHeaders.CORRELATION_ID).value()).isEqualTo(correlation);
    JsonNode body = json(reply);
    assertThat(body.get("correlation_id").asText()).isEqualTo(Base64.getEncoder().encodeToString(correlation));
    assertThat(body.get("model").asText()).isEqualTo(TestModel.embedder().modelName());
    assertThat(body.get("hits")).hasSize(2);
    assertThat(body.at("/hits/0/id").asText()).isEqualTo("m2");
    assertThat(body.at("/hits/0/score").floatValue()).isGreaterThan(0.999f);
    assertThat(body.at("/hits/0/text").asText()).isEqualTo("buy oat milk and coffee beans");
    assertThat(body.at("/hits/0/metadata/kind").asText()).isEqualTo("todo");
    assertThat(body.at("/hits/1/score").floatValue()).isLessThan(body.at("/hits/0/score").floatValue());
    assertThat(body.at("/timings/embed_ms").asDouble()).isPositive();
    assertThat(body.at("/timings/search_ms").asDouble()).isNotNegative();
    assertThat(app.otherReplies.isEmpty()).isTrue();
  }

  @Test
  void shouldReplyOnTheDefaultTopicWhenTheRequestNamesNone() throws Exception {
    request("k", "{\"query\":\"dentist\",\"tenant\":\"acme\",\"top_k\":1}", null, null);
    app.tick(Duration.ofMillis(1));
    TestRecord<byte[], byte[]> reply = app.replies.readRecord();
    assertThat(reply.headers().lastHeader(ReplyHeaders.CORRELATION_ID)).isNull();
    assertThat(json(reply).at("/hits/0/id").asText()).isEqualTo("m3");
    assertThat(json(reply).get("correlation_id").isNull()).isTrue();
  }

  @Test
  void shouldNeverReturnAnotherTenantsMemories() throws Exception {
    request("k", "{\"query\":\"buy oat milk and coffee beans\",\"tenant\":\"globex\",\"top_k\":10}", null, null);
    request("k", "{\"query\":\"buy oat milk and coffee beans\",\"top_k\":10}", null, null);
    app.tick(Duration.ofMillis(1));
    JsonNode globex = json(app.replies.readRecord());
    assertThat(globex.get("hits")).hasSize(1);
    assertThat(globex.at("/hits/0/id").asText()).isEqualTo("m4");
    assertThat(json(app.replies.readRecord()).get("hits")).as("the default tenant has no memories").isEmpty();
  }

  @Test
  void shouldApplyFiltersAsEqualityOnMetadataAndTheMinimumScore() throws Exception {
    request("k", "{\"query\":\"buy oat milk and coffee beans\",\"tenant\":\"acme\",\"filter\":{\"kind\":\"note\"}}",
        null, null);
    request("k", "{\"query\":\"buy oat milk and coffee beans\",\"tenant\":\"acme\",\"min_score\":0.99}", null, null);
    app.tick(Duration.ofMillis(1));
    JsonNode filtered = json(app.replies.readRecord());
    assertThat(filtered.get("hits")).extracting(h -> h.get("id").asText()).containsExactlyInAnyOrder("m1", "m3");
    JsonNode thresholded = json(app.replies.readRecord());
    assertThat(thresholded.get("hits")).extracting(h -> h.get("id").asText()).containsExactly("m2");
  }

  @Test
  void shouldAnswerEveryBadRequestWithAnErrorInOrderAndKeepAnswering() throws Exception {
    request("1", "{not json", "c1".getBytes(UTF_8), null);
    request("2", "{\"tenant\":\"acme\"}", "c2".getBytes(UTF_8), null);
    request("3", "{\"query\":\"x\",\"top_k\":0}", "c3".getBytes(UTF_8), null);
    request("4", "{\"query\":\"x\",\"filter\":{\"no such-key\":\"v\"}}", "c4".getBytes(UTF_8), null);
    request("5", "{\"query\":\"dentist\",\"tenant\":\"acme\",\"top_k\":1}", "c5".getBytes(UTF_8), null);
    app.tick(Duration.ofMillis(1));

    List<TestRecord<byte[], byte[]>> replies = app.replies.readRecordsToList();
    assertThat(replies).extracting(r -> new String(r.headers().lastHeader(ReplyHeaders.CORRELATION_ID).value(), UTF_8))
        .containsExactly("c1", "c2", "c3", "c4", "c5");
    assertThat(replies.subList(0, 4)).extracting(r -> json(r).at("/error/code").asText())
        .containsExactly("MALFORMED_REQUEST", "MISSING_QUERY", "BAD_TOP_K", "UNKNOWN_FILTER_KEY");
    assertThat(json(replies.get(0)).at("/error/message").asText()).isNotBlank();
    assertThat(json(replies.get(4)).at("/hits/0/id").asText()).isEqualTo("m3");
    assertThat(app.metrics.answered()).isEqualTo(5);
    assertThat(app.metrics.errorReplies()).isEqualTo(4);
  }

  @Test
  void shouldReplyStoreUnavailableWhileTheStoreIsDown() throws Exception {
    app.index.available = false;
    request("k", "{\"query\":\"dentist\",\"tenant\":\"acme\"}", "c".getBytes(UTF_8), null);
    app.tick(Duration.ofMillis(1));
    JsonNode reply = json(app.replies.readRecord());
    assertThat(reply.at("/error/code").asText()).isEqualTo("STORE_UNAVAILABLE");
    assertThat(reply.at("/error/retriable").asBoolean()).isTrue();

    // the gate is closed now: the next request is answered the same way without a try at the store
    request("k", "{\"query\":\"dentist\",\"tenant\":\"acme\"}", "d".getBytes(UTF_8), null);
    app.tick(Duration.ofMillis(1));
    JsonNode gated = json(app.replies.readRecord());
    assertThat(gated.at("/error/code").asText()).isEqualTo("STORE_UNAVAILABLE");
    assertThat(gated.at("/error/message").asText()).contains("not tried");

    app.index.available = true;
    // the task's background probe finds the store back; every request until then gets the retriable error
    IntegrationStack.await("searches to reach the store again", Duration.ofSeconds(30), () -> {
      request("k", "{\"query\":\"dentist\",\"tenant\":\"acme\"}", "c".getBytes(UTF_8), null);
      app.tick(Duration.ofMillis(1));
      try {
        JsonNode after = json(app.replies.readRecord());
        return after.has("hits") && after.at("/hits/0/id").asText().equals("m3");
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
  }

  @Test
  void shouldReportAMissingReplyTopicOnTheDefaultReplyTopic() throws Exception {
    request("k", "{\"query\":\"dentist\",\"tenant\":\"acme\"}", "c".getBytes(UTF_8), "nobody.listens.here");
    request("k", "{\"query\":\"dentist\",\"tenant\":\"acme\"}", "d".getBytes(UTF_8), "bad topic name!");
    app.tick(Duration.ofMillis(1));
    List<TestRecord<byte[], byte[]>> replies = app.replies.readRecordsToList();
    assertThat(replies).extracting(r -> json(r).at("/error/code").asText())
        .containsExactly("UNKNOWN_REPLY_TOPIC", "UNKNOWN_REPLY_TOPIC");
    assertThat(replies.get(0).headers().lastHeader(ReplyHeaders.CORRELATION_ID).value()).isEqualTo("c".getBytes(UTF_8));
  }

  @Test
  void shouldEmbedRequestsThatArriveTogetherInOneModelCall() throws Exception {
    for (int i = 0; i < 5; i++) {
      request("k" + i, "{\"query\":\"query number " + i + "\",\"tenant\":\"acme\"}", null, null);
    }
    assertThat(app.replies.isEmpty()).as("waiting for the batch window").isTrue();
    assertThat(app.driver.<Long, byte[]>getKeyValueStore(SearchProcessor.STORE).approximateNumEntries()).isEqualTo(5);
    long embedCallsBefore = app.metrics.embedQueriesTimer().count();

    app.tick(Duration.ofMillis(1));
    assertThat(app.replies.readRecordsToList()).hasSize(5);
    assertThat(app.metrics.embedQueriesTimer().count() - embedCallsBefore).isEqualTo(1);
    assertThat(app.driver.<Long, byte[]>getKeyValueStore(SearchProcessor.STORE).approximateNumEntries()).isZero();
  }

  @Test
  void shouldFlushAFullBatchWithoutWaitingForTheWindow() {
    for (int i = 0; i < 8; i++) {
      request("k" + i, "{\"query\":\"query " + i + "\"}", null, null);
    }
    assertThat(app.replies.readRecordsToList()).hasSize(8);
  }
}
