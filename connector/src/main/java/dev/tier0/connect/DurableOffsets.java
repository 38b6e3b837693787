package dev.tier0.connect;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Per partition, the offset after the last record whose outcome is settled: stored in (or deleted from) Milvus,
 * reported to the dead-letter queue, or deliberately skipped. Only these offsets may be committed. Used only on
 * the task thread.
 */
final class DurableOffsets {
  private final Map<TopicPartition, Long> nextOffsets = new HashMap<>();

  /** Everything up to and including {@code offset} in {@code partition} is settled. */
  void settled(TopicPartition partition, long offset) {
    nextOffsets.merge(partition, offset + 1, Math::max);
  }

  /** The offsets to commit for the partitions the framework asks about (those still assigned). */
  Map<TopicPartition, OffsetAndMetadata> committable(Collection<TopicPartition> assigned) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition partition : assigned) {
      Long next = nextOffsets.get(partition);
      if (next != null) {
        offsets.put(partition, new OffsetAndMetadata(next));
      }
    }
    return offsets;
  }

  /** Partitions revoked from this task: another task owns their offsets now. */
  void forget(Collection<TopicPartition> partitions) {
    partitions.forEach(nextOffsets::remove);
  }
}
