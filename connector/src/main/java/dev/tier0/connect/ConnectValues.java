package dev.tier0.connect;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;

/**
 * Turns Connect data (Structs from Avro, JSON Schema or Protobuf converters; schemaless maps from the JSON
 * converter) into the plain Java values the shared mapper reads: Map, List, String, Number, Boolean, byte[].
 * Bytes stay bytes so the mapper can insist on valid UTF-8; everything else keeps its JSON meaning.
 */
final class ConnectValues {
  private ConnectValues() {}

  private static final DateTimeFormatter ISO_DATE = DateTimeFormatter.ISO_LOCAL_DATE.withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter ISO_TIME = DateTimeFormatter.ISO_LOCAL_TIME.withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter ISO_INSTANT = DateTimeFormatter.ISO_INSTANT;

  /** A Struct as an insertion-ordered map of its fields, recursively. */
  static Map<String, Object> toMap(Struct struct) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (Field field : struct.schema().fields()) {
      map.put(field.name(), plain(field.schema(), struct.get(field)));
    }
    return map;
  }

  /** Any Connect value with its (possibly null) schema as a plain value. */
  static Object plain(Schema schema, Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof Struct struct) {
      return toMap(struct);
    }
    if (value instanceof ByteBuffer buffer) {
      ByteBuffer copy = buffer.duplicate();
      byte[] bytes = new byte[copy.remaining()];
      copy.get(bytes);
      return bytes;
    }
    if (value instanceof BigDecimal decimal) {
      return decimal;
    }
    if (value instanceof Date date) {
      return formatDate(schema, date);
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      Schema valueSchema = schema == null ? null : schema.valueSchema();
      map.forEach((k, v) -> copy.put(String.valueOf(plain(schema == null ? null : schema.keySchema(), k)),
          plain(valueSchema, v)));
      return copy;
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      Schema valueSchema = schema == null ? null : schema.valueSchema();
      list.forEach(v -> copy.add(plain(valueSchema, v)));
      return copy;
    }
    return value;
  }

  /** Logical dates become ISO-8601 strings: readable in metadata and comparable as text. */
  private static String formatDate(Schema schema, Date date) {
    String logical = schema == null ? null : schema.name();
    if (org.apache.kafka.connect.data.Date.LOGICAL_NAME.equals(logical)) {
      return ISO_DATE.format(date.toInstant());
    }
    if (Time.LOGICAL_NAME.equals(logical)) {
      return ISO_TIME.format(date.toInstant());
    }
    return ISO_INSTANT.format(date.toInstant());
  }
}
