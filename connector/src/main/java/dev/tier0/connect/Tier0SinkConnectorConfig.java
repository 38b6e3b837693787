package dev.tier0.connect;

import dev.tier0.ingest.RetryPolicy;
import dev.tier0.memory.MappingConfig;
import dev.tier0.memory.config.SharedConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;

/**
 * The sink's configuration: the shared model / Milvus / record-mapping vocabulary of {@link SharedConfig}, plus
 * how the sink batches, buffers and retries its writes. The reference in docs/connector-config.md is rendered
 * from {@link #CONFIG_DEF} by the tests (ConfigReference, ConfigReferenceTest).
 */
public final class Tier0SinkConnectorConfig extends AbstractConfig {
  public static final String WRITE_GROUP = "Write";

  public static final String WRITE_BATCH_MAX_RECORDS = SharedConfig.WRITE_BATCH_MAX_RECORDS;
  public static final String WRITE_LINGER_MS = "write.linger.ms";
  public static final String WRITE_MAX_BUFFERED_RECORDS = "write.max.buffered.records";
  public static final String WRITE_RETRY_MAX_RETRIES = SharedConfig.WRITE_RETRY_MAX_RETRIES;
  public static final String WRITE_RETRY_BACKOFF_MS = SharedConfig.WRITE_RETRY_BACKOFF_MS;
  public static final String WRITE_RETRY_BACKOFF_MAX_MS = SharedConfig.WRITE_RETRY_BACKOFF_MAX_MS;

  /** The worker's key, read (not defined) here: the framework owns its definition and validation. */
  static final String ERRORS_TOLERANCE = "errors.tolerance";

  public static final ConfigDef CONFIG_DEF = defineWrite(SharedConfig.define(new ConfigDef()));

  public Tier0SinkConnectorConfig(Map<String, String> props) {
    super(CONFIG_DEF, props);
  }

  private static ConfigDef defineWrite(ConfigDef def) {
    int order = 0;
    return def
        .define(WRITE_BATCH_MAX_RECORDS, Type.INT, 256, Range.between(1, 100_000), Importance.MEDIUM,
            "Most records in one write: embedded together (in inference runs of at most model.batch.max.records "
                + "and model.batch.max.tokens) and upserted in one call. The next write's embedding overlaps this "
                + "one's upsert.",
            WRITE_GROUP, ++order, Width.SHORT, "Write batch size")
        .define(WRITE_LINGER_MS, Type.LONG, 200L, Range.between(0, 60_000), Importance.LOW,
            "A partial batch older than this is written at the next put() instead of waiting to fill up; the rest "
                + "is written at the latest when offsets are committed.",
            WRITE_GROUP, ++order, Width.SHORT, "Linger (ms)")
        .define(WRITE_MAX_BUFFERED_RECORDS, Type.INT, 2048, Range.between(1, 1_000_000), Importance.MEDIUM,
            "Records accepted but not yet stored, above which the task pauses its partitions (backpressure) until "
                + "half of them are stored. put() itself never blocks on the store.",
            WRITE_GROUP, ++order, Width.SHORT, "Max buffered records")
        .define(WRITE_RETRY_MAX_RETRIES, Type.INT, 5, Range.between(0, 1000), Importance.MEDIUM,
            "Retries of a write that failed transiently (Milvus unreachable, timeouts, rate limits) before the "
                + "task reports a RetriableException. The write is kept and retried until Milvus answers again: "
                + "an outage delays records, it never loses them. Permanent errors are not retried.",
            WRITE_GROUP, ++order, Width.SHORT, "Retries")
        .define(WRITE_RETRY_BACKOFF_MS, Type.LONG, 200L, Range.between(1, 600_000), Importance.LOW,
            "The first retry's delay; each further retry doubles it, up to " + WRITE_RETRY_BACKOFF_MAX_MS + ".",
            WRITE_GROUP, ++order, Width.SHORT, "Retry backoff (ms)")
        .define(WRITE_RETRY_BACKOFF_MAX_MS, Type.LONG, 10_000L, Range.between(1, 3_600_000), Importance.LOW,
            "The longest delay between two retries.",
            WRITE_GROUP, ++order, Width.SHORT, "Max retry backoff (ms)");
  }

  public Optional<Path> modelDir() {
    return SharedConfig.configuredModelDir(this);
  }

  public MappingConfig mappingConfig() {
    return SharedConfig.mappingConfig(this);
  }

  public int writeBatchMaxRecords() {
    return getInt(WRITE_BATCH_MAX_RECORDS);
  }

  public Duration writeLinger() {
    return Duration.ofMillis(getLong(WRITE_LINGER_MS));
  }

  public int maxBufferedRecords() {
    return getInt(WRITE_MAX_BUFFERED_RECORDS);
  }

  public RetryPolicy retryPolicy() {
    return new RetryPolicy(getInt(WRITE_RETRY_MAX_RETRIES), Duration.ofMillis(getLong(WRITE_RETRY_BACKOFF_MS)),
        Duration.ofMillis(getLong(WRITE_RETRY_BACKOFF_MAX_MS)));
  }

  /** errors.tolerance=all: bad records go to the dead-letter queue and the stream goes on. */
  public boolean toleratesAllErrors() {
    Object tolerance = originals().get(ERRORS_TOLERANCE);
    return tolerance != null && "all".equals(tolerance.toString().trim().toLowerCase(Locale.ROOT));
  }
}
