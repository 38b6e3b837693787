package dev.tier0.connect;

import dev.tier0.ingest.Outcome;
import dev.tier0.ingest.PreparedBatch;
import dev.tier0.ingest.WriteRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * A sealed run of records in the order put() received them: the unit that is written and then settled as a
 * whole. The records that ask something of the store travel with their {@link WriteRequest}s; the others (already
 * dead-lettered, or skipped) only carry their offsets. Handed from the task thread to the embedder, the writer
 * and back through blocking queues, so each stage sees the previous stage's changes.
 */
final class Batch {
  /** A record that could not be stored after all (the writer rejected it), with the reason. */
  record Rejection(SinkRecord record, String reason, Throwable cause) {}

  private final List<SinkRecord> all;
  private final List<SinkRecord> writing;
  private final List<WriteRequest> requests;
  private PreparedBatch prepared;

  /**
   * @param all      every record of the batch, for its offsets
   * @param writing  the records that asked for a write, in order
   * @param requests their requests, one per record of {@code writing}
   */
  Batch(List<SinkRecord> all, List<SinkRecord> writing, List<WriteRequest> requests) {
    if (writing.size() != requests.size()) {
      throw new IllegalArgumentException(writing.size() + " records for " + requests.size() + " requests");
    }
    this.all = List.copyOf(all);
    this.writing = List.copyOf(writing);
    this.requests = List.copyOf(requests);
  }

  int size() {
    return all.size();
  }

  List<WriteRequest> requests() {
    return requests;
  }

  /** The writer's batch, once the embedder has prepared it. */
  PreparedBatch prepared() {
    return prepared;
  }

  void prepared(PreparedBatch prepared) {
    this.prepared = prepared;
  }

  /** Records the writer rejected, each with its reason; call once the batch is written. */
  List<Rejection> rejections() {
    List<Rejection> rejections = new ArrayList<>();
    if (prepared == null) {
      return rejections;
    }
    List<Outcome> outcomes = prepared.outcomes();
    for (int i = 0; i < outcomes.size(); i++) {
      if (outcomes.get(i) instanceof Outcome.Rejected r) {
        rejections.add(new Rejection(writing.get(i), r.reason(), r.cause()));
      }
    }
    return rejections;
  }

  /** Per original partition, the highest original offset in this batch. */
  Map<TopicPartition, Long> lastOffsets() {
    Map<TopicPartition, Long> last = new LinkedHashMap<>();
    for (SinkRecord record : all) {
      last.merge(new TopicPartition(record.originalTopic(), record.originalKafkaPartition()),
          record.originalKafkaOffset(), Math::max);
    }
    return last;
  }
}
