package dev.tier0.streams.search;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The reply JSON, both ways (the app writes it, {@link SearchClient} reads it):
 * <pre>
 * {"correlation_id": "...", "model": "all-minilm-l6-v2", "mode": "hybrid",
 *  "hits": [{"id": "...", "score": 0.83, "text": "...", "metadata": {...}, "passage": "...", "chunk_index": 0,
 *            "chunk_count": 1, "span_start": 0, "span_end": 42, "truncated": false}],
 *  "timings": {"embed_ms": 4.1, "search_ms": 2.7}}
 * {"correlation_id": "...", "error": {"code": "BAD_TOP_K", "message": "...", "retriable": false}}
 * </pre>
 */
public final class SearchReplyCodec {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, Object>> METADATA = new TypeReference<>() {};

  private SearchReplyCodec() {}

  public static byte[] encode(SearchReply reply) {
    ObjectNode root = JSON.createObjectNode();
    root.put("correlation_id", reply.correlationId());
    if (reply instanceof SearchReply.Hits hits) {
      root.put("model", hits.model());
      if (hits.mode() != null) {
        root.put("mode", hits.mode());
      }
      ArrayNode array = root.putArray("hits");
      for (SearchHit hit : hits.hits()) {
        ObjectNode h = array.addObject();
        h.put("id", hit.id());
        h.put("score", hit.score());
        h.put("text", hit.text());
        h.set("metadata", JSON.valueToTree(hit.metadata()));
        h.put("passage", hit.passage());
        h.put("chunk_index", hit.chunkIndex());
        h.put("chunk_count", hit.chunkCount());
        h.put("span_start", hit.spanStart());
        h.put("span_end", hit.spanEnd());
        h.put("truncated", hit.truncated());
      }
      ObjectNode timings = root.putObject("timings");
      timings.put("embed_ms", round(hits.timings().embedMs()));
      timings.put("search_ms", round(hits.timings().searchMs()));
    } else if (reply instanceof SearchReply.Failure failure) {
      ObjectNode error = root.putObject("error");
      error.put("code", failure.code().name());
      error.put("message", failure.message());
      error.put("retriable", failure.code().retriable());
    }
    try {
      return JSON.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("reply not serialisable", e);
    }
  }

  public static SearchReply decode(byte[] bytes) {
    JsonNode root;
    try {
      root = JSON.readTree(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("reply is not JSON", e);
    }
    String correlationId = root.path("correlation_id").isTextual() ? root.get("correlation_id").textValue() : null;
    JsonNode error = root.get("error");
    if (error != null && error.isObject()) {
      return new SearchReply.Failure(correlationId, code(error.path("code").asText()), error.path("message").asText());
    }
    List<SearchHit> hits = new ArrayList<>();
    for (JsonNode h : root.path("hits")) {
      Map<String, Object> metadata = JSON.convertValue(h.path("metadata"), METADATA);
      String text = h.path("text").asText();
      hits.add(new SearchHit(h.path("id").asText(), (float) h.path("score").asDouble(), text, metadata,
          h.path("passage").isTextual() ? h.get("passage").textValue() : text, h.path("chunk_index").asInt(0),
          h.path("chunk_count").asInt(1), h.path("span_start").asInt(0),
          h.path("span_end").isNumber() ? h.get("span_end").asInt() : text.length(), h.path("truncated").asBoolean()));
    }
    JsonNode timings = root.path("timings");
    return new SearchReply.Hits(correlationId, root.path("model").asText(), hits,
        new SearchReply.Timings(timings.path("embed_ms").asDouble(), timings.path("search_ms").asDouble()),
        root.path("mode").isTextual() ? root.get("mode").textValue() : null);
  }

  /** A code from a newer server is still an error, not a crash of the client. */
  private static ErrorCode code(String name) {
    try {
      return ErrorCode.valueOf(name);
    } catch (IllegalArgumentException e) {
      return ErrorCode.INTERNAL_ERROR;
    }
  }

  private static double round(double ms) {
    return Math.round(ms * 1000.0) / 1000.0;
  }
}
