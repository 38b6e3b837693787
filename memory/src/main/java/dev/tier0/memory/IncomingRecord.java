package dev.tier0.memory;

import java.util.Map;

/**
 * A record as both ingest paths see it, free of Connect and Streams types.
 *
 * @param key   null, String, byte[] or Number
 * @param value null (a tombstone), String, byte[] (UTF-8 text) or Map (a JSON object or a converted Struct)
 */
public record IncomingRecord(Object key, Object value, String topic, int partition, long offset, long timestamp,
                             Map<String, byte[]> headers) {
  public IncomingRecord {
    headers = headers == null ? Map.of() : headers;
  }

  /** "topic-partition-offset": unique and stable across replays, the id of last resort. */
  public String coordinates() {
    return topic + "-" + partition + "-" + offset;
  }
}
