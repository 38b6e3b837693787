package dev.tier0.ingest;

/**
 * Where a record came from in Kafka: its original topic, partition and offset (before any transform renamed
 * them) and its timestamp in epoch milliseconds (-1 when the record has none). Stored beside the memory.
 */
public record Source(String topic, int partition, long offset, long timestamp) {
  /** {@code topic-partition@offset}, for log lines and reasons. */
  @Override
  public String toString() {
    return topic + "-" + partition + "@" + offset;
  }
}
