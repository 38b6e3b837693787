package dev.tier0.ingest;

import com.google.gson.Gson;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The metadata rules, in one place: what a memory's metadata becomes before it is stored, and what is refused.
 *
 * <p>Non-finite numbers (NaN, Infinity, -Infinity: Kafka's JsonConverter reads {@code 1e400} as Infinity, and
 * Avro doubles may hold them) are not JSON; Milvus's JSON field cannot hold them. They become the strings
 * {@code "NaN"}, {@code "Infinity"} and {@code "-Infinity"}: the memory is stored, the value stays readable, and
 * a numeric range filter simply does not match it. (Jackson writes them the same way by default.)
 */
final class Metadata {
  /** The JSON encoder Milvus's SDK uses for the row: measuring with it measures what is sent. */
  private static final Gson GSON = new Gson();

  private Metadata() {}

  /**
   * The metadata as it will be stored: a copy with non-finite numbers replaced, checked against the limits.
   *
   * @throws Refused when it nests deeper than {@link WriteLimits#maxMetadataDepth()} or its JSON is larger than
   *                 {@link WriteLimits#maxMetadataBytes()}; the reason names the limit and its config key
   */
  static Map<String, Object> prepare(Map<String, Object> metadata, WriteLimits limits) throws Refused {
    @SuppressWarnings("unchecked")
    Map<String, Object> clean = (Map<String, Object>) copy(metadata == null ? Map.of() : metadata, 1, limits);
    int bytes = GSON.toJson(clean).getBytes(StandardCharsets.UTF_8).length;
    if (bytes > limits.maxMetadataBytes()) {
      throw new Refused("metadata is " + bytes + " bytes as JSON, over the limit of " + limits.maxMetadataBytes()
          + " (" + WriteLimits.MAX_METADATA_BYTES_KEY + "; Milvus refuses a JSON field over "
          + WriteLimits.MILVUS_JSON_MAX_BYTES + ")");
    }
    return clean;
  }

  /** {@code depth}: the nesting level of {@code value} when it is a map or a list (the metadata object is 1). */
  private static Object copy(Object value, int depth, WriteLimits limits) throws Refused {
    if (value instanceof Map<?, ?> || value instanceof List<?>) {
      if (depth > limits.maxMetadataDepth()) {
        throw new Refused("metadata nests more than " + limits.maxMetadataDepth() + " levels of objects and arrays ("
            + WriteLimits.MAX_METADATA_DEPTH_KEY + ")");
      }
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        copy.put(String.valueOf(e.getKey()), copy(e.getValue(), depth + 1, limits));
      }
      return copy;
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      for (Object item : list) {
        copy.add(copy(item, depth + 1, limits));
      }
      return copy;
    }
    if (value instanceof Double d && !Double.isFinite(d)) {
      return nonFinite(d);
    }
    if (value instanceof Float f && !Float.isFinite(f)) {
      return nonFinite(f);
    }
    return value;
  }

  private static String nonFinite(double d) {
    return Double.isNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity";
  }
}
