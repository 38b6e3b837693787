package dev.tier0.streams.search;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tier0.memory.MappingConfig;
import dev.tier0.milvus.SearchMode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Set;

/** Turns a request's bytes into a {@link SearchRequest}, or a {@link RequestRejectedException} saying what is wrong. */
public final class SearchRequestParser {
  static final Set<String> FIELDS = Set.of("query", "tenant", "top_k", "filter", "min_score", "mode", "fusion",
      "dense_weight", "recency_half_life");
  /** A filter is a handful of equality conditions, not a query language. */
  static final int MAX_FILTER_ENTRIES = 16;

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final SearchLimits limits;
  private final FilterParser filters;

  public SearchRequestParser(SearchLimits limits) {
    this.limits = limits;
    this.filters = new FilterParser(limits);
  }

  public SearchRequest parse(byte[] value) {
    if (value == null || value.length == 0) {
      throw new RequestRejectedException(ErrorCode.MALFORMED_REQUEST, "empty request: expected a JSON object");
    }
    JsonNode root;
    try {
      root = JSON.readTree(value);
    } catch (JsonProcessingException e) {
      throw new RequestRejectedException(ErrorCode.MALFORMED_REQUEST, "not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new RequestRejectedException(ErrorCode.MALFORMED_REQUEST, "unreadable request: " + e.getMessage());
    }
    if (!(root instanceof ObjectNode object)) {
      throw new RequestRejectedException(ErrorCode.MALFORMED_REQUEST,
          "expected a JSON object, got " + (root == null ? "nothing" : root.getNodeType().toString().toLowerCase()));
    }
    rejectUnknownFields(object);
    SearchRequest request = new SearchRequest(query(object.get("query")), tenant(object.get("tenant")), topK(object.get("top_k")),
        filters.parse(object.get("filter")), minScore(object.get("min_score")),
        SearchOptionsParser.mode(object.get("mode")),
        SearchOptionsParser.fusion(object.get("fusion"), object.get("dense_weight")),
        SearchOptionsParser.halfLife(object.get("recency_half_life")));
    if (request.minScore() != null && request.mode() != null && request.mode() != SearchMode.DENSE) {
      throw new RequestRejectedException(ErrorCode.BAD_MIN_SCORE, "\"min_score\" is a cosine similarity and"
          + " applies to mode \"dense\" only (a request with min_score and no mode is served dense)");
    }
    return request;
  }

  private static void rejectUnknownFields(ObjectNode object) {
    for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw new RequestRejectedException(ErrorCode.UNKNOWN_FIELD,
            "unknown field '" + abbreviate(name) + "': a request has query, tenant, top_k, mode, fusion,"
            + " dense_weight, filter, min_score, recency_half_life");
      }
    }
  }

  private String query(JsonNode node) {
    if (absent(node)) {
      throw new RequestRejectedException(ErrorCode.MISSING_QUERY, "missing \"query\"");
    }
    if (!node.isTextual()) {
      throw new RequestRejectedException(ErrorCode.INVALID_QUERY,
          "\"query\" must be a string, was " + node.getNodeType().toString().toLowerCase());
    }
    String query = node.textValue();
    if (query.isBlank()) {
      throw new RequestRejectedException(ErrorCode.MISSING_QUERY, "\"query\" is blank");
    }
    int bytes = query.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > limits.maxQueryBytes()) {
      throw new RequestRejectedException(ErrorCode.INVALID_QUERY,
          "\"query\" is " + bytes + " bytes, over the cap of " + limits.maxQueryBytes());
    }
    return query;
  }

  private String tenant(JsonNode node) {
    if (absent(node)) {
      return limits.defaultTenant();
    }
    if (!node.isTextual() || !MappingConfig.TENANT_PATTERN.matcher(node.textValue()).matches()) {
      throw new RequestRejectedException(ErrorCode.BAD_TENANT,
          "\"tenant\" must be a string matching " + MappingConfig.TENANT_PATTERN.pattern());
    }
    return node.textValue();
  }

  private int topK(JsonNode node) {
    if (absent(node)) {
      return limits.defaultTopK();
    }
    if (!node.isIntegralNumber() || !node.canConvertToInt()
        || node.intValue() < 1 || node.intValue() > limits.maxTopK()) {
      throw new RequestRejectedException(ErrorCode.BAD_TOP_K,
          "\"top_k\" must be an integer in [1, " + limits.maxTopK() + "], was " + abbreviate(node.toString()));
    }
    return node.intValue();
  }

  private static Float minScore(JsonNode node) {
    if (absent(node)) {
      return null;
    }
    if (!node.isNumber() || node.doubleValue() < -1.0 || node.doubleValue() > 1.0) {
      throw new RequestRejectedException(ErrorCode.BAD_MIN_SCORE,
          "\"min_score\" must be a number in [-1, 1] (cosine similarity), was " + abbreviate(node.toString()));
    }
    return node.floatValue();
  }

  private static boolean absent(JsonNode node) {
    return node == null || node.isNull();
  }

  private static String abbreviate(String s) {
    return s.length() <= 60 ? s : s.substring(0, 60) + "...";
  }
}
