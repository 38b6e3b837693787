package dev.tier0.connect;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;

/**
 * Which partitions this task owns now, each under the generation it was opened with. A batch remembers the
 * generations of its partitions when it is sealed, and its records are written and its offsets settled only while
 * those are still current: once Connect revokes a partition (a rebalance), or stops the task (it may then abandon
 * it after {@code task.shutdown.graceful.timeout.ms} while its writer thread still runs), another task reads the
 * partition again from the last committed offset, and a late write from this one could put an older version of a
 * memory over the newer one the new owner wrote. A partition opened again, even here, gets a new generation, so
 * the old batches stay fenced. Thread-safe: the task thread opens and closes, the writer thread asks.
 */
final class Ownership {
  private final AtomicLong generations = new AtomicLong();
  private final Map<TopicPartition, Long> owned = new ConcurrentHashMap<>();

  /** Connect assigned these partitions to the task (SinkTask.open). */
  void open(Collection<TopicPartition> partitions) {
    partitions.forEach(p -> owned.put(p, generations.incrementAndGet()));
  }

  /** Connect revoked these partitions (SinkTask.close). */
  void close(Collection<TopicPartition> partitions) {
    partitions.forEach(owned::remove);
  }

  /** The task stops: it owns nothing any more. */
  void closeAll() {
    owned.clear();
  }

  /** The current generation of a partition, or null when the task does not own it. */
  Long generation(TopicPartition partition) {
    return owned.get(partition);
  }

  /** Whether the task still owns {@code partition} under the generation a batch was sealed with. */
  boolean owns(TopicPartition partition, Long generation) {
    return generation != null && generation.equals(owned.get(partition));
  }
}
