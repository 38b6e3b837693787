package dev.tier0.memory;

import java.util.Map;

/** Dotted paths into nested maps: "payload.body" reads value["payload"]["body"]. */
final class FieldPath {
  private FieldPath() {}

  /** The value at the path, or {@link #ABSENT} when a step is missing or not an object. */
  static Object get(Map<String, Object> root, String path) {
    Object current = root;
    for (String step : path.split("\\.", -1)) {
      if (!(current instanceof Map<?, ?> map) || !map.containsKey(step)) {
        return ABSENT;
      }
      current = map.get(step);
    }
    return current;
  }

  /** The first segment of a path: the top-level field it belongs to. */
  static String head(String path) {
    int dot = path.indexOf('.');
    return dot < 0 ? path : path.substring(0, dot);
  }

  static final Object ABSENT = new Object() {
    @Override
    public String toString() {
      return "<absent>";
    }
  };
}
