package dev.tier0.streams.ingest;

import dev.tier0.ingest.WriteRequest;
import java.util.List;

/**
 * A write waiting in the changelogged pending store for its batch: the shared writer's request, plus the record
 * as it arrived (key, value, headers), so a record the writer rejects at flush time reaches the dead-letter topic
 * as it was read. Entries written by older versions carry no raw record: theirs is dead-lettered with a null value.
 * Only entries with a request are parked; a record that became none (a mapping rejection) travels here only on its
 * way to the dead-letter topic.
 */
public record PendingRecord(WriteRequest request, byte[] rawKey, byte[] rawValue, List<RawHeader> rawHeaders) {
  public PendingRecord {
    rawHeaders = rawHeaders == null ? List.of() : List.copyOf(rawHeaders);
  }

  /** One header of the original record. */
  public record RawHeader(String key, byte[] value) {}

  public String id() {
    return request.id();
  }
}
