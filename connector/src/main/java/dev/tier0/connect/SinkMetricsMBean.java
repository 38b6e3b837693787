package dev.tier0.connect;

/** JMX counters of all tier0 sink tasks in this plugin installation (since the worker started). */
public interface SinkMetricsMBean {
  /** Memories upserted into Milvus. */
  long getMemoriesStored();

  /** Ids deleted by tombstones. */
  long getMemoriesDeleted();

  /** Records that could not become a memory (sent to the dead-letter queue, or logged when tolerated without one). */
  long getRecordsRejected();

  /** Milvus calls that failed transiently and were retried. */
  long getTransientStoreFailures();

  /** Times a task paused its partitions because too many records were in flight (backpressure). */
  long getBackpressurePauses();

  /** Times put() reported a RetriableException because Milvus stayed unavailable past the retries. */
  long getRetriableExceptions();

  /**
   * ORT runs per static graph of the models loaded by this plugin, {@code "<model name>/<graph file>"} to runs
   * (a single-graph model reports its model file); see {@code SharedModels.graphRuns()}.
   */
  java.util.Map<String, Long> getGraphRuns();
}
