package dev.tier0.connect;

import dev.tier0.memory.IncomingRecord;
import dev.tier0.memory.RecordKeys;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.sink.SinkRecord;

/** Converts a {@link SinkRecord} into the Connect-free {@link IncomingRecord} the shared mapper reads. */
final class IncomingRecords {
  private final Set<String> headerNames;

  IncomingRecords(List<String> headerNames) {
    this.headerNames = Set.copyOf(headerNames);
  }

  IncomingRecord from(SinkRecord record) {
    Long timestamp = record.timestamp();
    // The original coordinates: a transform that renames the topic must not change ids or committed offsets.
    return new IncomingRecord(key(record), value(record), record.originalTopic(),
        record.originalKafkaPartition(), record.originalKafkaOffset(), timestamp == null ? -1L : timestamp,
        headers(record));
  }

  private static Object key(SinkRecord record) {
    // A single-field Struct or object key (Debezium's {"id": 42}) names the record by that field.
    return RecordKeys.idValue(ConnectValues.plain(record.keySchema(), record.key()));
  }

  private static Object value(SinkRecord record) {
    Object value = record.value();
    if (value instanceof Struct || value instanceof Map<?, ?> || value instanceof ByteBuffer) {
      return ConnectValues.plain(record.valueSchema(), value);
    }
    return value;
  }

  private Map<String, byte[]> headers(SinkRecord record) {
    if (headerNames.isEmpty() || record.headers().isEmpty()) {
      return Map.of();
    }
    Map<String, byte[]> headers = new HashMap<>();
    for (Header header : record.headers()) {
      if (headerNames.contains(header.key()) && header.value() != null) {
        headers.put(header.key(), bytes(ConnectValues.plain(header.schema(), header.value())));
      }
    }
    return headers;
  }

  private static byte[] bytes(Object value) {
    if (value instanceof byte[] bytes) {
      return bytes;
    }
    return String.valueOf(value).getBytes(StandardCharsets.UTF_8);
  }
}
