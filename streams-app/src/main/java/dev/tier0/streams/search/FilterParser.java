package dev.tier0.streams.search;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tier0.milvus.InvalidFilterException;
import dev.tier0.milvus.MetadataFilter;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The request's {@code filter} object as a {@link MetadataFilter}. The grammar (every condition AND-combined):
 * <pre>
 * "filter": {
 *   "kind": "note",                        equality: string, number or boolean
 *   "priority": 1, "done": false,
 *   "status": {"in": ["open", "blocked"]}, one of (one type, at most 64 values)
 *   "score": {"gte": 0.5, "lt": 2},        numeric range: gt, gte, lt, lte
 *   "owner": {"eq": "ana"},                equality, spelled out
 *   "@timestamp": {"gte": "2026-11-01T00:00:00Z", "lt": 1764547200000}
 *                                          the record timestamp: ISO-8601 with offset, or epoch ms
 * }
 * </pre>
 * Anything else is {@link ErrorCode#BAD_FILTER} with the reason: an unknown operator, an array or null value,
 * mixed types in one list, a range on a non-number, an over-long list. JSON nulls for operators (how an Avro
 * request's unset operators arrive) are absent.
 */
final class FilterParser {
  /** The reserved key of the record timestamp; '@' cannot start a metadata key, so it never shadows one. */
  static final String TIMESTAMP_KEY = "@timestamp";
  /** A filter value is a label, not a document. */
  static final int MAX_VALUE_CHARS = 1024;
  static final Set<String> OPERATORS = Set.of("eq", "in", "gt", "gte", "lt", "lte");
  private static final Set<String> TIME_OPERATORS = Set.of("gt", "gte", "lt", "lte");

  private final SearchLimits limits;

  FilterParser(SearchLimits limits) {
    this.limits = limits;
  }

  MetadataFilter parse(JsonNode node) {
    if (node == null || node.isNull()) {
      return MetadataFilter.NONE;
    }
    if (!node.isObject()) {
      throw bad("\"filter\" must be an object of metadata key -> value or {operator: value}");
    }
    if (node.size() > SearchRequestParser.MAX_FILTER_ENTRIES) {
      throw bad("\"filter\" has " + node.size() + " conditions, over the limit of "
          + SearchRequestParser.MAX_FILTER_ENTRIES);
    }
    List<MetadataFilter.Condition> conditions = new ArrayList<>();
    MetadataFilter.TimeRange time = null;
    try {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = it.next();
        String key = entry.getKey();
        if (key.equals(TIMESTAMP_KEY)) {
          time = time(entry.getValue());
          continue;
        }
        checkKey(key);
        conditions.addAll(conditions(key, entry.getValue()));
      }
      return new MetadataFilter(conditions, time);
    } catch (InvalidFilterException e) {
      throw bad(e.getMessage());
    }
  }

  private void checkKey(String key) {
    if (!SearchLimits.FILTER_KEY.matcher(key).matches()) {
      throw new RequestRejectedException(ErrorCode.UNKNOWN_FILTER_KEY, "filter key '" + abbreviate(key)
          + "' is not a metadata key name (" + SearchLimits.FILTER_KEY.pattern() + ") or " + TIMESTAMP_KEY);
    }
    if (!limits.filterKeys().isEmpty() && !limits.filterKeys().contains(key)) {
      throw new RequestRejectedException(ErrorCode.UNKNOWN_FILTER_KEY,
          "unknown filter key '" + key + "': allowed keys are " + limits.filterKeys().stream().sorted().toList());
    }
  }

  private static List<MetadataFilter.Condition> conditions(String key, JsonNode value) {
    if (value.isValueNode() && !value.isNull()) {
      return List.of(new MetadataFilter.Equals(key, scalar(key, value)));
    }
    if (!value.isObject()) {
      throw bad("filter value for '" + key + "' must be a string, number, boolean or an object of operators ("
          + String.join(", ", sorted(OPERATORS)) + ")" + (value.isArray() ? "; for a list use {\"in\": [...]}" : ""));
    }
    List<MetadataFilter.Condition> out = new ArrayList<>();
    BigDecimal gt = null;
    BigDecimal gte = null;
    BigDecimal lt = null;
    BigDecimal lte = null;
    boolean any = false;
    for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> op = it.next();
      String name = op.getKey();
      JsonNode arg = op.getValue();
      if (!OPERATORS.contains(name)) {
        throw bad("unknown operator '" + abbreviate(name) + "' for '" + key + "': use one of "
            + String.join(", ", sorted(OPERATORS)));
      }
      if (arg == null || arg.isNull()) {
        continue;
      }
      any = true;
      switch (name) {
        case "eq" -> {
          if (!arg.isValueNode()) {
            throw bad("'eq' for '" + key + "' needs a string, number or boolean");
          }
          out.add(new MetadataFilter.Equals(key, scalar(key, arg)));
        }
        case "in" -> {
          if (!arg.isArray()) {
            throw bad("'in' for '" + key + "' needs an array of values");
          }
          if (arg.size() > MetadataFilter.MAX_IN_VALUES) {
            throw bad("'in' for '" + key + "' has " + arg.size() + " values, over the limit of "
                + MetadataFilter.MAX_IN_VALUES);
          }
          List<Object> values = new ArrayList<>();
          for (JsonNode v : arg) {
            if (!v.isValueNode() || v.isNull()) {
              throw bad("'in' for '" + key + "' takes strings, numbers or booleans, got " + type(v));
            }
            values.add(scalar(key, v));
          }
          out.add(new MetadataFilter.In(key, values));
        }
        default -> {
          if (!arg.isNumber()) {
            throw bad("'" + name + "' for '" + key + "' needs a number, got " + type(arg)
                + " (ranges are numeric; use " + TIMESTAMP_KEY + " for time)");
          }
          BigDecimal bound = number(key, arg);
          switch (name) {
            case "gt" -> gt = bound;
            case "gte" -> gte = bound;
            case "lt" -> lt = bound;
            default -> lte = bound;
          }
        }
      }
    }
    if (!any) {
      throw bad("filter for '" + key + "' has no operator with a value");
    }
    if (gt != null || gte != null || lt != null || lte != null) {
      out.add(new MetadataFilter.Range(key, gt, gte, lt, lte));
    }
    return out;
  }

  private static MetadataFilter.TimeRange time(JsonNode value) {
    if (!value.isObject()) {
      throw bad(TIMESTAMP_KEY + " takes an object of gt, gte, lt, lte bounds (ISO-8601 or epoch ms)");
    }
    Long[] bounds = new Long[4];
    for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> op = it.next();
      if (!TIME_OPERATORS.contains(op.getKey())) {
        throw bad("unknown operator '" + abbreviate(op.getKey()) + "' for " + TIMESTAMP_KEY + ": use gt, gte, lt, lte");
      }
      if (op.getValue() == null || op.getValue().isNull()) {
        continue;
      }
      long ms = epochMillis(op.getValue());
      switch (op.getKey()) {
        case "gt" -> bounds[0] = ms;
        case "gte" -> bounds[1] = ms;
        case "lt" -> bounds[2] = ms;
        default -> bounds[3] = ms;
      }
    }
    return new MetadataFilter.TimeRange(bounds[0], bounds[1], bounds[2], bounds[3]);
  }

  /** ISO-8601 with a zone offset (2026-11-01T09:00:00Z, 2026-11-01T10:00:00+01:00), or integral epoch ms. */
  static long epochMillis(JsonNode value) {
    if (value.isIntegralNumber() && value.canConvertToLong()) {
      return value.longValue();
    }
    if (value.isTextual()) {
      String text = value.textValue();
      try {
        return OffsetDateTime.parse(text).toInstant().toEpochMilli();
      } catch (DateTimeException notOffset) {
        try {
          return Instant.parse(text).toEpochMilli();
        } catch (DateTimeException e) {
          throw bad("time '" + abbreviate(text) + "' is not ISO-8601 with an offset (e.g. 2026-11-01T09:00:00Z)"
              + " or epoch milliseconds");
        }
      }
    }
    throw bad("a time bound is an ISO-8601 string or integral epoch milliseconds, got " + type(value));
  }

  private static Object scalar(String key, JsonNode v) {
    if (v.isTextual()) {
      if (v.textValue().length() > MAX_VALUE_CHARS) {
        throw bad("filter value for '" + key + "' must be a string of at most " + MAX_VALUE_CHARS + " characters");
      }
      return v.textValue();
    }
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    if (v.isNumber()) {
      return number(key, v);
    }
    throw bad("filter value for '" + key + "' must be a string, number or boolean, got " + type(v));
  }

  /** A finite JSON number; 1e400 parses as an infinite double, refused here. */
  private static BigDecimal number(String key, JsonNode v) {
    if ((v.isDouble() || v.isFloat()) && !Double.isFinite(v.doubleValue())) {
      throw bad("filter value for '" + key + "' is not a finite number");
    }
    return v.decimalValue();
  }

  private static List<String> sorted(Set<String> s) {
    return s.stream().sorted().toList();
  }

  private static String type(JsonNode v) {
    return v.getNodeType().toString().toLowerCase();
  }

  private static RequestRejectedException bad(String message) {
    return new RequestRejectedException(ErrorCode.BAD_FILTER, message);
  }

  private static String abbreviate(String s) {
    return s.length() <= 60 ? s : s.substring(0, 60) + "...";
  }
}
