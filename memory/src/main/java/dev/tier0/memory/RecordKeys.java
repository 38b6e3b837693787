package dev.tier0.memory;

import java.util.Map;

/**
 * How a structured record key names a memory, the same in both runtimes: a key with a single field (a Connect
 * Struct, a JSON object or an Avro record, such as Debezium's {@code {"id": 42}}) stands for that field's value.
 * Any other key is left as it is, for {@link MemoryMapper} to accept (a string or number) or reject.
 */
public final class RecordKeys {
  private RecordKeys() {}

  /**
   * The value a key names a memory by.
   *
   * @param key a plain key value: null, String, Number, byte[] or Map (a decoded Struct, JSON object or record)
   * @return the only field's value of a one-field map whose value is not itself a map; otherwise {@code key}
   */
  public static Object idValue(Object key) {
    if (key instanceof Map<?, ?> map && map.size() == 1) {
      Object only = map.values().iterator().next();
      return only instanceof Map<?, ?> ? key : only;
    }
    return key;
  }
}
