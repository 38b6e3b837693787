package dev.tier0.connect;

import dev.tier0.ingest.IngestWriter;
import dev.tier0.ingest.Outcome;
import dev.tier0.ingest.PreparedBatch;
import dev.tier0.ingest.WriteRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * A sealed run of records in the order put() received them: the unit that is written and then settled as a
 * whole. The records that ask something of the store travel with their {@link WriteRequest}s; the others (already
 * dead-lettered, or skipped) only carry their offsets. Handed from the task thread to the planner, the embedder,
 * the writer and back through blocking queues, so each stage sees the previous stage's changes.
 */
final class Batch {
  /** A record that could not be stored after all (the writer rejected it), with the reason. */
  record Rejection(SinkRecord record, String reason, Throwable cause) {}

  private final List<SinkRecord> all;
  private final List<SinkRecord> writing;
  private final List<WriteRequest> requests;
  private final Ownership ownership;
  /** Per partition of the batch, its generation when the batch was sealed. */
  private final Map<TopicPartition, Long> generations = new HashMap<>();
  private IngestWriter.Plan plan;
  private PreparedBatch prepared;

  /**
   * @param all      every record of the batch, for its offsets
   * @param writing  the records that asked for a write, in order
   * @param requests their requests, one per record of {@code writing}
   * @param ownership the task's partitions: the batch is written and settled only while it owns them as now
   */
  Batch(List<SinkRecord> all, List<SinkRecord> writing, List<WriteRequest> requests, Ownership ownership) {
    if (writing.size() != requests.size()) {
      throw new IllegalArgumentException(writing.size() + " records for " + requests.size() + " requests");
    }
    this.all = List.copyOf(all);
    this.writing = List.copyOf(writing);
    this.requests = List.copyOf(requests);
    this.ownership = ownership;
    for (SinkRecord record : this.all) {
      TopicPartition partition = partitionOf(record);
      generations.computeIfAbsent(partition, ownership::generation);
    }
  }

  /** The record's partition as the worker's consumer knows it (before transforms), as Connect's offsets name it. */
  static TopicPartition partitionOf(SinkRecord record) {
    return new TopicPartition(record.originalTopic(), record.originalKafkaPartition());
  }

  /** Whether the task still owns this record's partition as it did when the batch was sealed. */
  boolean owns(TopicPartition partition) {
    return ownership.owns(partition, generations.get(partition));
  }

  /** {@link #owns(TopicPartition)} for one of the batch's requests (its source names the original partition). */
  boolean ownsSourceOf(WriteRequest request) {
    return owns(new TopicPartition(request.source().topic(), request.source().partition()));
  }

  int size() {
    return all.size();
  }

  List<WriteRequest> requests() {
    return requests;
  }

  /** Hands the planner's plan to the embedder, once: the batch holds no passages after the model has run. */
  IngestWriter.Plan takePlan() {
    IngestWriter.Plan p = plan;
    plan = null;
    return p;
  }

  void planned(IngestWriter.Plan plan) {
    this.plan = plan;
  }

  /** The writer's batch, once the embedder has prepared it. */
  PreparedBatch prepared() {
    return prepared;
  }

  void prepared(PreparedBatch prepared) {
    this.prepared = prepared;
  }

  /**
   * Records the writer rejected, each with its reason, in partitions the task still owns (a revoked partition's
   * new owner meets the record again and reports it); call once the batch is written.
   */
  List<Rejection> rejections() {
    List<Rejection> rejections = new ArrayList<>();
    if (prepared == null) {
      return rejections;
    }
    List<Outcome> outcomes = prepared.outcomes();
    for (int i = 0; i < outcomes.size(); i++) {
      if (outcomes.get(i) instanceof Outcome.Rejected r && owns(partitionOf(writing.get(i)))) {
        rejections.add(new Rejection(writing.get(i), r.reason(), r.cause()));
      }
    }
    return rejections;
  }

  /**
   * Per original partition the task still owns as it did at sealing, the highest original offset in this batch.
   * A revoked partition's records may have been abandoned unwritten, so their offsets are not settled.
   */
  Map<TopicPartition, Long> lastOffsets() {
    Map<TopicPartition, Long> last = new LinkedHashMap<>();
    for (SinkRecord record : all) {
      TopicPartition partition = partitionOf(record);
      if (owns(partition)) {
        last.merge(partition, record.originalKafkaOffset(), Math::max);
      }
    }
    return last;
  }
}
