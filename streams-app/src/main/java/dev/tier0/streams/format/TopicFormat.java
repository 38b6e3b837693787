package dev.tier0.streams.format;

import java.util.Arrays;
import java.util.Locale;

/**
 * How a topic's values are encoded. JSON: UTF-8 JSON (an ingest value that is not an object is its text);
 * STRING: the UTF-8 value is the text (ingest) or the query (search requests); AVRO: the Confluent wire format
 * through a Schema Registry (Avro, or JSON Schema values).
 */
public enum TopicFormat {
  JSON, STRING, AVRO;

  public static TopicFormat parse(String value) {
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown format '" + value + "': one of " + String.join(", ", names()), e);
    }
  }

  public static String[] names() {
    return Arrays.stream(values()).map(f -> f.name().toLowerCase(Locale.ROOT)).toArray(String[]::new);
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
