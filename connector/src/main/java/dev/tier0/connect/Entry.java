package dev.tier0.connect;

import dev.tier0.memory.IncomingRecord;
import dev.tier0.memory.Memory;
import org.apache.kafka.connect.sink.SinkRecord;

/** One accepted record and what it asks of the store. Every record put() accepts becomes exactly one entry. */
sealed interface Entry {
  SinkRecord record();

  /** Embed the memory and upsert it. */
  record Write(SinkRecord record, IncomingRecord source, Memory memory) implements Entry {}

  /** Delete this id (a tombstone). */
  record Remove(SinkRecord record, String id) implements Entry {}

  /** Nothing to store: already reported to the dead-letter queue, or skipped by configuration. */
  record Settled(SinkRecord record) implements Entry {}
}
