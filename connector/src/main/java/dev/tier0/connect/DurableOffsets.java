package dev.tier0.connect;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Per partition, the offset after the last record whose outcome is settled: stored in (or deleted from) Milvus,
 * reported to the dead-letter queue, or deliberately skipped. Only these offsets may be committed, with one
 * addition: records a transform drops never reach put(), so once every record put() received from a partition is
 * settled, the worker's own consumed offset (which counts the dropped ones) is committed; otherwise a partition
 * that ends in dropped records (Debezium's tombstones after ExtractNewRecordState, a Filter) would never reach its
 * end, show lag for ever, and replay those records after every restart. Used only on the task thread.
 */
final class DurableOffsets {
  private final Map<TopicPartition, Long> nextOffsets = new HashMap<>();
  private final Map<TopicPartition, Long> nextDelivered = new HashMap<>();

  /** put() received the record at {@code offset} of {@code partition} (original coordinates, before transforms). */
  void delivered(TopicPartition partition, long offset) {
    nextDelivered.merge(partition, offset + 1, Math::max);
  }

  /** Everything up to and including {@code offset} in {@code partition} is settled. */
  void settled(TopicPartition partition, long offset) {
    nextOffsets.merge(partition, offset + 1, Math::max);
  }

  /**
   * The offsets to commit for the partitions the framework asks about (those still assigned), given the worker's
   * consumed offsets (preCommit's argument: the offset after the last record polled and handed on, dropped ones
   * included).
   */
  Map<TopicPartition, OffsetAndMetadata> committable(Map<TopicPartition, OffsetAndMetadata> consumed) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    consumed.forEach((partition, position) -> {
      Long next = nextOffsets.get(partition);
      Long delivered = nextDelivered.get(partition);
      boolean allSettled = delivered == null || (next != null && next >= delivered);
      if (allSettled && position != null) {
        offsets.put(partition, new OffsetAndMetadata(Math.max(position.offset(), next == null ? 0 : next)));
      } else if (next != null) {
        offsets.put(partition, new OffsetAndMetadata(next));
      }
    });
    return offsets;
  }

  /** Partitions revoked from this task: another task owns their offsets now. */
  void forget(Collection<TopicPartition> partitions) {
    partitions.forEach(nextOffsets::remove);
    partitions.forEach(nextDelivered::remove);
  }
}
