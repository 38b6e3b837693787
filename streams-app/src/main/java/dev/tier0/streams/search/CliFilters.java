package dev.tier0.streams.search;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code search} command's {@code --filter} conditions as the request's filter object:
 * <pre>
 * kind=note          string equality (as before)
 * priority:=1        JSON value: a number, true/false, "a string", or ["a","b"] (an in list)
 * score&gt;=0.5        numeric ranges: &gt;, &gt;=, &lt;, &lt;=
 * </pre>
 * {@code --after}/{@code --before} (ISO-8601 or epoch ms) become {@code "@timestamp": {"gte": .., "lt": ..}}.
 * Conditions on one key merge into one operator object. The server checks everything else (BAD_FILTER).
 */
final class CliFilters {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern CONDITION = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)(:=|>=|<=|=|>|<)(.*)",
      Pattern.DOTALL);

  private CliFilters() {}

  static Map<String, Object> parse(List<String> conditions, String after, String before) {
    Map<String, Object> filter = new LinkedHashMap<>();
    for (String c : conditions) {
      Matcher m = CONDITION.matcher(c);
      if (!m.matches()) {
        throw new IllegalArgumentException("--filter '" + c + "': expected key=value, key:=json, key>n, key>=n,"
            + " key<n or key<=n");
      }
      String key = m.group(1);
      String value = m.group(3);
      switch (m.group(2)) {
        case "=" -> put(filter, key, "eq", value);
        case ":=" -> {
          JsonNode json = json(c, value);
          put(filter, key, json.isArray() ? "in" : "eq", json);
        }
        default -> put(filter, key, operator(m.group(2)), json(c, value));
      }
    }
    Map<String, Object> time = new LinkedHashMap<>();
    if (after != null) {
      time.put("gte", timeValue(after));
    }
    if (before != null) {
      time.put("lt", timeValue(before));
    }
    if (!time.isEmpty()) {
      filter.put(FilterParser.TIMESTAMP_KEY, time);
    }
    return filter;
  }

  /** A lone equality stays a plain value (the first request version's form); several operators share an object. */
  @SuppressWarnings("unchecked")
  private static void put(Map<String, Object> filter, String key, String op, Object value) {
    Object existing = filter.get(key);
    if (existing == null && op.equals("eq")) {
      filter.put(key, value);
      return;
    }
    Map<String, Object> ops;
    if (existing instanceof Map<?, ?> m) {
      ops = (Map<String, Object>) m;
    } else {
      ops = new LinkedHashMap<>();
      if (existing != null) {
        ops.put("eq", existing);
      }
      filter.put(key, ops);
    }
    if (ops.containsKey(op)) {
      throw new IllegalArgumentException("--filter: '" + key + "' has two '" + op + "' conditions");
    }
    ops.put(op, value);
  }

  private static String operator(String symbol) {
    return switch (symbol) {
      case ">" -> "gt";
      case ">=" -> "gte";
      case "<" -> "lt";
      default -> "lte";
    };
  }

  private static Object timeValue(String v) {
    return v.chars().allMatch(Character::isDigit) ? (Object) Long.parseLong(v) : v;
  }

  private static JsonNode json(String condition, String value) {
    try {
      return JSON.readTree(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("--filter '" + condition + "': '" + value + "' is not a JSON value"
          + " (strings need quotes after := ; or use key=value)");
    }
  }
}
