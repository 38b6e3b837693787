package dev.tier0.streams.search;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SearchReplyCodecTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void shouldWriteHitsInTheDocumentedShape() throws Exception {
    SearchReply reply = new SearchReply.Hits("AAEC", "all-minilm-l6-v2",
        List.of(new SearchHit("m-1", 0.75f, "buy milk", Map.of("kind", "note", "n", 3))),
        new SearchReply.Timings(4.1234567, 2.5));
    JsonNode json = JSON.readTree(SearchReplyCodec.encode(reply));
    assertThat(json.get("correlation_id").asText()).isEqualTo("AAEC");
    assertThat(json.get("model").asText()).isEqualTo("all-minilm-l6-v2");
    assertThat(json.get("hits")).hasSize(1);
    assertThat(json.at("/hits/0/id").asText()).isEqualTo("m-1");
    assertThat(json.at("/hits/0/score").floatValue()).isEqualTo(0.75f);
    assertThat(json.at("/hits/0/metadata/n").asInt()).isEqualTo(3);
    assertThat(json.at("/timings/embed_ms").asDouble()).isEqualTo(4.123);
    assertThat(json.at("/timings/search_ms").asDouble()).isEqualTo(2.5);
    assertThat(json.has("error")).isFalse();
  }

  @Test
  void shouldWriteErrorsWithCodeMessageAndRetriability() throws Exception {
    JsonNode json = JSON.readTree(SearchReplyCodec.encode(
        new SearchReply.Failure(null, ErrorCode.STORE_UNAVAILABLE, "down")));
    assertThat(json.get("correlation_id").isNull()).isTrue();
    assertThat(json.at("/error/code").asText()).isEqualTo("STORE_UNAVAILABLE");
    assertThat(json.at("/error/message").asText()).isEqualTo("down");
    assertThat(json.at("/error/retriable").asBoolean()).isTrue();
    assertThat(json.has("hits")).isFalse();
  }

  @Test
  void shouldRoundTripBothShapes() {
    SearchReply hits = new SearchReply.Hits("x", "m", List.of(new SearchHit("a", 0.5f, "t", Map.of("k", "v"))),
        new SearchReply.Timings(1.5, 2.25));
    SearchReply failure = new SearchReply.Failure("y", ErrorCode.BAD_TOP_K, "no");
    assertThat(SearchReplyCodec.decode(SearchReplyCodec.encode(hits))).usingRecursiveComparison().isEqualTo(hits);
    assertThat(SearchReplyCodec.decode(SearchReplyCodec.encode(failure))).isEqualTo(failure);
  }

  @Test
  void shouldReadAnErrorCodeItDoesNotKnowAsAnError() {
    SearchReply reply = SearchReplyCodec.decode(
        "{\"correlation_id\":\"c\",\"error\":{\"code\":\"FROM_THE_FUTURE\",\"message\":\"m\"}}".getBytes());
    assertThat(reply).isInstanceOf(SearchReply.Failure.class);
  }
}
