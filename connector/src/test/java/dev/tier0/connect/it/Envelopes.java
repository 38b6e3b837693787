package dev.tier0.connect.it;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Record values for JsonConverter with schemas.enable=true, which turns one topic into all three value shapes
 * the sink accepts: a schema'd string becomes a String, a null schema a schemaless Map, a struct schema a Struct.
 */
public final class Envelopes {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Envelopes() {}

  public static String string(String text) {
    return envelope(Map.of("type", "string"), text);
  }

  public static String schemaless(Map<String, Object> payload) {
    return envelope(null, payload);
  }

  /** A Struct whose fields are all optional strings except int32 fields named in {@code ints}. */
  public static String struct(Map<String, Object> payload, List<String> ints) {
    List<Map<String, Object>> fields = payload.keySet().stream().map(name -> {
      Map<String, Object> field = new LinkedHashMap<>();
      field.put("field", name);
      field.put("type", ints.contains(name) ? "int32" : "string");
      field.put("optional", true);
      return field;
    }).toList();
    Map<String, Object> schema = new LinkedHashMap<>();
    schema.put("type", "struct");
    schema.put("name", "tier0.it.Note");
    schema.put("fields", fields);
    return envelope(schema, payload);
  }

  /** A bytes value (base64 in JSON): the converter hands the sink a byte[]. */
  public static String bytes(byte[] value) {
    return envelope(Map.of("type", "bytes"), Base64.getEncoder().encodeToString(value));
  }

  private static String envelope(Object schema, Object payload) {
    Map<String, Object> envelope = new LinkedHashMap<>();
    envelope.put("schema", schema);
    envelope.put("payload", payload);
    try {
      return JSON.writeValueAsString(envelope);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
