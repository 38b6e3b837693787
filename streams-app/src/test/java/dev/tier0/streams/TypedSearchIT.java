package dev.tier0.streams;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tier0.ingest.MilvusVectorStore;
import dev.tier0.milvus.MilvusConfig;
import dev.tier0.milvus.MilvusLite;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 13's cases through the request topic, against real Milvus Lite and the real MiniLM: typed metadata filters
 * (the issue's {"priority": 1} and {"done": false}), in lists, ranges, the record-timestamp range, the mode the
 * reply names, and error replies that give the reason.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TypedSearchIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long T0 = Instant.parse("2026-11-01T00:00:00Z").toEpochMilli();
  private static final long DAY = Duration.ofDays(1).toMillis();

  @TempDir
  static Path dir;
  private MilvusLite lite;
  private MilvusVectorStore store;
  private TopologyHarness app;

  @BeforeAll
  void start() {
    lite = MilvusLite.start(dir.resolve("milvus"));
    store = new MilvusVectorStore(MilvusConfig.builder().uri(lite.uri()).collection("typed").build(),
        TestModel.embedder().dimension()).open();
    app = new TopologyHarness(dir.resolve("state"), store);
    ingest("issue", "acme", "{\"priority\": 1, \"done\": false}", "call the plumber about the leaking tap", T0);
    ingest("p2", "acme", "{\"priority\": 2, \"done\": true, \"kind\": \"task\"}", "renew the passport", T0 + DAY);
    ingest("p3", "acme", "{\"priority\": 3, \"done\": false, \"kind\": \"note\"}", "order ORD-48213 shipped",
        T0 + 2 * DAY);
    ingest("p1s", "acme", "{\"priority\": \"1\", \"kind\": \"note\"}", "priority stored as a string", T0 + 3 * DAY);
    long now = System.currentTimeMillis();
    ingest("old-plants", "recency", "{\"kind\": \"note\"}", "water the plants on the balcony", now - 10 * DAY);
    ingest("new-plants", "recency", "{\"kind\": \"note\"}", "water the plants on the balcony", now - DAY / 24);
    ingest("other", "globex", "{\"priority\": 1, \"done\": false}", "call the plumber about the leaking tap", T0);
    app.tick(TopologyHarness.FLUSH_INTERVAL);
  }

  @AfterAll
  void stop() {
    if (app != null) {
      app.close();
    }
    if (store != null) {
      store.close();
    }
    if (lite != null) {
      lite.close();
    }
  }

  private void ingest(String id, String tenant, String metadataJson, String text, long timestamp) {
    String body = "{\"id\":\"" + id + "\",\"tenant\":\"" + tenant + "\",\"text\":\"" + text + "\","
        + metadataJson.substring(1);
    app.ingest.pipeInput(null, body.getBytes(UTF_8), timestamp);
  }

  private JsonNode ask(String body) throws Exception {
    app.requests.pipeInput(null, body.getBytes(UTF_8));
    app.tick(Duration.ofMillis(1));
    return JSON.readTree(app.replies.readRecord().value());
  }

  private static List<String> ids(JsonNode reply) {
    assertThat(reply.has("error")).as("error reply: %s", reply.get("error")).isFalse();
    List<String> ids = new ArrayList<>();
    reply.get("hits").forEach(h -> ids.add(h.get("id").asText()));
    return ids;
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', textBlock = """
      dense   | {"priority": 1}                                  | issue
      keyword | {"priority": 1}                                  | issue
      hybrid  | {"priority": 1}                                  | issue
      dense   | {"done": false}                                  | issue,p3
      hybrid  | {"done": false}                                  | issue,p3
      dense   | {"priority": "1"}                                | p1s
      hybrid  | {"priority": {"in": [2, 3]}}                     | p2,p3
      dense   | {"kind": {"in": ["task", "note"]}, "done": true} | p2
      hybrid  | {"priority": {"gte": 2, "lt": 3.5}}              | p2,p3
      dense   | {"priority": {"gt": 1}, "kind": {"eq": "note"}}  | p3
      hybrid  | {"@timestamp": {"gte": "2026-11-02T00:00:00Z", "lt": 1793750400000}} | p2,p3
      dense   | {"@timestamp": {"lt": "2026-11-01T12:00:00+01:00"}} | issue
      """)
  void typedFiltersMatchInEveryMode(String mode, String filter, String expected) throws Exception {
    // a query with words of every memory, so the keyword leg sees them all
    JsonNode reply = ask("{\"query\": \"call plumber passport ORD-48213 priority\", \"tenant\": \"acme\","
        + " \"top_k\": 10, \"mode\": \"" + mode + "\", \"filter\": " + filter + "}");
    assertThat(ids(reply)).containsExactlyInAnyOrder(expected.split(","));
    assertThat(reply.get("mode").asText()).isEqualTo(mode);
  }

  @Test
  void theDefaultModeIsHybridAndTheReplySaysSo() throws Exception {
    JsonNode reply = ask("{\"query\": \"ORD-48213\", \"tenant\": \"acme\", \"top_k\": 1}");
    assertThat(reply.get("mode").asText()).isEqualTo("hybrid");
    assertThat(ids(reply)).containsExactly("p3");
    JsonNode cosine = ask("{\"query\": \"ORD-48213\", \"tenant\": \"acme\", \"min_score\": 0.1}");
    assertThat(cosine.get("mode").asText()).as("min_score asks for cosine: dense").isEqualTo("dense");
  }

  @Test
  void recencyFavoursTheNewerOfTwoEqualMatches() throws Exception {
    for (String mode : List.of("dense", "keyword", "hybrid")) {
      JsonNode reply = ask("{\"query\": \"water the plants\", \"tenant\": \"recency\", \"mode\": \"" + mode
          + "\", \"recency_half_life\": \"2d\"}");
      assertThat(ids(reply)).as(mode).containsExactly("new-plants", "old-plants");
      assertThat(reply.at("/hits/1/score").floatValue()).as("the old one is kept, at no less than half its score")
          .isGreaterThanOrEqualTo(reply.at("/hits/0/score").floatValue() / 2);
    }
  }

  @Test
  void badFiltersGetBadFilterWithTheReason() throws Exception {
    JsonNode mixed = ask("{\"query\": \"x\", \"tenant\": \"acme\", \"filter\": {\"priority\": {\"in\": [1, \"1\"]}}}");
    assertThat(mixed.at("/error/code").asText()).isEqualTo("BAD_FILTER");
    assertThat(mixed.at("/error/message").asText()).contains("mixes number and string");
    JsonNode op = ask("{\"query\": \"x\", \"tenant\": \"acme\", \"filter\": {\"priority\": {\"ne\": 1}}}");
    assertThat(op.at("/error/code").asText()).isEqualTo("BAD_FILTER");
    assertThat(op.at("/error/message").asText()).contains("unknown operator 'ne'");
  }

  @Test
  void hostileValuesThroughEveryOperatorNeverReachAnotherTenant() throws Exception {
    String[] hostile = {"\\\" or tenant != \\\"acme", "') or (true", "1 || 1 == 1", "\\\\", "acme\\\" || \\\"1"};
    for (String h : hostile) {
      for (String filter : List.of("{\"kind\": \"" + h + "\"}", "{\"kind\": {\"eq\": \"" + h + "\"}}",
          "{\"kind\": {\"in\": [\"note\", \"" + h + "\"]}}", "{\"priority\": {\"gte\": 0}, \"kind\": \"" + h + "\"}")) {
        for (String mode : List.of("dense", "keyword", "hybrid")) {
          JsonNode reply = ask("{\"query\": \"call the plumber " + h + "\", \"tenant\": \"globex\", \"top_k\": 10,"
              + " \"mode\": \"" + mode + "\", \"filter\": " + filter + "}");
          if (reply.has("error")) {
            assertThat(reply.at("/error/code").asText()).isEqualTo("BAD_FILTER");
            continue;
          }
          reply.get("hits").forEach(hit -> assertThat(hit.get("id").asText()).isEqualTo("other"));
          assertThat(ids(reply)).as("%s %s", mode, filter).isEmpty(); // no globex memory has a kind
        }
      }
    }
  }
}
