package dev.tier0.connect;

import dev.tier0.milvus.StoredMemory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * A sealed run of entries in the order put() received them: the unit that is embedded, written and then
 * settled as a whole. Handed from the task thread to the embedder, the writer and back through blocking queues,
 * so each stage sees the previous stage's changes.
 */
final class Batch {
  /** A record that could not be stored after all (the model or the store refused it), with the reason. */
  record Rejection(SinkRecord record, String reason, Throwable cause) {}

  private final List<Entry> entries;
  /**
   * The operation that counts for each id: the last one. An upsert replaces the whole row and a delete removes
   * it, so applying only the last operation per id equals applying all of them in order.
   */
  private final Map<String, Entry> effective = new LinkedHashMap<>();
  private final List<Rejection> rejections = new ArrayList<>();
  private List<WritePipeline.Prepared> rows = List.of();

  Batch(List<Entry> entries) {
    this.entries = List.copyOf(entries);
    for (Entry entry : this.entries) {
      String id = idOf(entry);
      if (id != null) {
        effective.remove(id); // re-insert: the map's order is the order of last operations
        effective.put(id, entry);
      }
    }
  }

  List<Entry> entries() {
    return entries;
  }

  int size() {
    return entries.size();
  }

  /** The last operation per id, minus rejected ones. */
  Collection<Entry> effectiveOperations() {
    return List.copyOf(effective.values());
  }

  /** Drops an operation that was refused; its record goes to the dead-letter queue instead. */
  void reject(Entry entry, String reason, Throwable cause) {
    effective.remove(idOf(entry), entry);
    rejections.add(new Rejection(entry.record(), reason, cause));
  }

  List<Rejection> rejections() {
    return rejections;
  }

  /** The embedder's output: one row per write that could be embedded. */
  void prepared(List<WritePipeline.Prepared> rows) {
    this.rows = List.copyOf(rows);
  }

  /** Rows to upsert: prepared rows whose record was not rejected since. */
  List<StoredMemory> upserts() {
    return rows.stream().filter(p -> effective.get(p.entry().memory().id()) == p.entry())
        .map(WritePipeline.Prepared::row).toList();
  }

  StoredMemory rowOf(Entry.Write write) {
    return rows.stream().filter(p -> p.entry() == write).map(WritePipeline.Prepared::row).findFirst().orElse(null);
  }

  /** Ids to delete: tombstones that are the last operation on their id. */
  List<String> deletes() {
    return effective.values().stream()
        .filter(e -> e instanceof Entry.Remove).map(e -> ((Entry.Remove) e).id()).toList();
  }

  /** Per original partition, the highest original offset in this batch. */
  Map<TopicPartition, Long> lastOffsets() {
    Map<TopicPartition, Long> last = new LinkedHashMap<>();
    for (Entry entry : entries) {
      SinkRecord record = entry.record();
      last.merge(new TopicPartition(record.originalTopic(), record.originalKafkaPartition()),
          record.originalKafkaOffset(), Math::max);
    }
    return last;
  }

  private static String idOf(Entry entry) {
    if (entry instanceof Entry.Write write) {
      return write.memory().id();
    }
    if (entry instanceof Entry.Remove remove) {
      return remove.id();
    }
    return null;
  }
}
