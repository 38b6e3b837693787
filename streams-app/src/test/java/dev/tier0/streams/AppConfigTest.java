package dev.tier0.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tier0.streams.search.SearchLimits;
import dev.tier0.streams.search.SearchSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppConfigTest {
  @TempDir
  Path dir;

  private Path file(String content) throws Exception {
    Path f = dir.resolve("app.properties");
    Files.writeString(f, content);
    return f;
  }

  @Test
  void shouldReadTheExampleConfigShippedWithTheProject() {
    AppConfig config = AppConfig.load(Path.of(System.getProperty("tier0.home"), "config", "streams-app.properties"),
        Map.of());
    assertThat(config.ingestSettings().topic()).isEqualTo("memories");
    assertThat(config.searchRequestTopic()).isEqualTo("tier0.search.requests");
    assertThat(config.deadLetterTopic()).isEqualTo("memories.dlq");
  }

  @Test
  void shouldRunSearchUnderItsOwnApplicationIdAndClientIdWhileIngestKeepsTheConfiguredOnes() {
    AppConfig config = new AppConfig(Map.of("application.id", "notes", "client.id", "notes-host-1",
        "ingest.topic", "memories", "search.request.topic", "requests", "num.stream.threads", "2"));
    Properties ingest = config.streamsProperties(new AppMetrics());
    Properties search = config.searchStreamsProperties(new AppMetrics());
    assertThat(ingest.get(StreamsConfig.APPLICATION_ID_CONFIG)).isEqualTo("notes");
    assertThat(ingest.get(StreamsConfig.CLIENT_ID_CONFIG)).isEqualTo("notes-host-1");
    assertThat(search.get(StreamsConfig.APPLICATION_ID_CONFIG)).isEqualTo("notes-search")
        .isEqualTo(config.searchApplicationId());
    assertThat(search.get(StreamsConfig.CLIENT_ID_CONFIG)).isEqualTo("notes-host-1-search");
    assertThat(search.get("num.stream.threads")).as("pass-through keys apply to both").isEqualTo("2");
    assertThat(new AppConfig(Map.of("ingest.topic", "memories")).searchStreamsProperties(new AppMetrics()))
        .as("no client.id: Kafka Streams derives one from the application id").doesNotContainKey("client.id");
  }

  /** The ingest flush budget follows the poll interval Kafka Streams will use, main.consumer. prefix first. */
  @Test
  void shouldPrepareIngestBatchesAheadUnlessTurnedOff() {
    assertThat(new AppConfig(Map.of("ingest.topic", "m")).ingestSettings().prepareAhead()).isTrue();
    assertThat(AppConfig.load(null, Map.of("TIER0_INGEST_TOPIC", "m", "TIER0_INGEST_PREPARE_AHEAD", "false"))
        .ingestSettings().prepareAhead()).isFalse();
  }

  @Test
  void shouldKeepTheIngestFlushBudgetWithinAQuarterOfTheThreadsPollInterval() {
    assertThat(new AppConfig(Map.of("ingest.topic", "m")).maxPollInterval()).hasMinutes(5);
    assertThat(new AppConfig(Map.of("ingest.topic", "m")).ingestSettings().flushBudget()).hasSeconds(30);
    AppConfig small = new AppConfig(Map.of("ingest.topic", "m", "max.poll.interval.ms", "60000",
        "consumer.max.poll.interval.ms", "40000", "main.consumer.max.poll.interval.ms", "20000"));
    assertThat(small.maxPollInterval()).hasSeconds(20);
    assertThat(small.ingestSettings().flushBudget()).hasSeconds(5);
    assertThat(new AppConfig(Map.of("ingest.topic", "m", "max.poll.interval.ms", "60000")).ingestSettings()
        .flushBudget()).hasSeconds(15);
    // exactly-once: also a quarter of the transaction timeout the app sets (60 s) or the user's
    assertThat(new AppConfig(Map.of("ingest.topic", "m", "processing.guarantee", "exactly_once_v2"))
        .ingestSettings().flushBudget()).hasSeconds(15);
    assertThat(new AppConfig(Map.of("ingest.topic", "m", "processing.guarantee", "exactly_once_v2",
        "transaction.timeout.ms", "90000", "producer.transaction.timeout.ms", "20000")).ingestSettings()
        .flushBudget()).hasSeconds(5);
  }

  /** Ingest's backpressure: a poll brings at most one write batch, unless the user chose max.poll.records. */
  @Test
  void shouldPollAtMostOneWriteBatchForIngestUnlessTheUserSetsMaxPollRecords() {
    AppConfig config = new AppConfig(Map.of("ingest.topic", "m", "write.batch.max.records", "64"));
    assertThat(config.streamsProperties(new AppMetrics()).get("main.consumer.max.poll.records")).isEqualTo(64);
    assertThat(config.searchStreamsProperties(new AppMetrics())).as("search polls as Kafka Streams does")
        .doesNotContainKey("main.consumer.max.poll.records");
    AppConfig chosen = new AppConfig(Map.of("ingest.topic", "m", "consumer.max.poll.records", "500"));
    assertThat(chosen.streamsProperties(new AppMetrics())).doesNotContainKey("main.consumer.max.poll.records")
        .containsEntry("consumer.max.poll.records", "500");
    assertThat(chosen.searchStreamsProperties(new AppMetrics())).containsEntry("consumer.max.poll.records", "500");
  }

  /** The heartbeat limit the membership check uses: session.timeout.ms as Kafka Streams resolves it. */
  @Test
  void shouldReadTheMainConsumersSessionTimeout() {
    assertThat(new AppConfig(Map.of("ingest.topic", "m")).sessionTimeout()).hasSeconds(45);
    assertThat(new AppConfig(Map.of("ingest.topic", "m", "session.timeout.ms", "30000",
        "main.consumer.session.timeout.ms", "20000")).sessionTimeout()).hasSeconds(20);
  }

  /** Search's budget follows the same limits (one rule, {@link FlushBudget}) from its own, shorter default. */
  @Test
  void shouldKeepTheSearchFlushBudgetWithinTheSameLimits() {
    assertThat(new AppConfig(Map.of("ingest.topic", "m")).searchFlushBudget()).hasSeconds(10);
    assertThat(new AppConfig(Map.of("ingest.topic", "m", "main.consumer.max.poll.interval.ms", "20000"))
        .searchFlushBudget()).hasSeconds(5);
    assertThat(new AppConfig(Map.of("ingest.topic", "m", "processing.guarantee", "exactly_once_v2",
        "producer.transaction.timeout.ms", "20000")).searchFlushBudget()).hasSeconds(5);
    assertThatThrownBy(() -> new SearchSettings("q", "r", SearchLimits.defaults(), 8, Duration.ofMillis(1), 1,
        t -> true, Duration.ZERO)).hasMessageContaining("search flush budget must be > 0");
  }

  @Test
  void shouldReadTheConnectorsWriteKeysAndStillTheirDeprecatedAliases() {
    Map<String, Object> props = new HashMap<>(Map.of("ingest.topic", "memories", "write.batch.max.records", "64",
        "write.retry.max.retries", "3", "write.retry.backoff.ms", "100", "write.retry.backoff.max.ms", "2000",
        "record.metadata.max.depth", "10", "record.metadata.max.bytes", "4096"));
    var settings = new AppConfig(props).ingestSettings();
    assertThat(settings.maxRecords()).isEqualTo(64);
    assertThat(settings.retry()).isEqualTo(new dev.tier0.ingest.RetryPolicy(3, Duration.ofMillis(100),
        Duration.ofMillis(2000)));
    assertThat(settings.limits()).isEqualTo(new dev.tier0.ingest.WriteLimits(4096, 10));

    var old = new AppConfig(Map.of("ingest.topic", "memories", "ingest.batch.max.records", "7",
        "ingest.retry.backoff.ms", "900")).ingestSettings();
    assertThat(old.maxRecords()).isEqualTo(7);
    assertThat(old.retry().maxBackoff()).isEqualTo(Duration.ofMillis(900));

    props.put("ingest.batch.max.records", "7");
    assertThat(new AppConfig(props).ingestSettings().maxRecords()).as("the new key wins").isEqualTo(64);
  }

  @Test
  void shouldLetEnvironmentVariablesOverrideTheFileForAppKafkaAndSharedKeys() throws Exception {
    AppConfig config = AppConfig.load(file("""
        bootstrap.servers=file:9092
        ingest.topic=memories
        milvus.uri=http://file:19530
        commit.interval.ms=1000
        """), Map.of(
        "TIER0_BOOTSTRAP_SERVERS", "env:9092",
        "TIER0_MILVUS_URI", "http://env:19530",
        "TIER0_COMMIT_INTERVAL_MS", "50",
        "TIER0_NUM_STREAM_THREADS", "3",
        "TIER0_INGEST_BATCH_MAX_RECORDS", "7",
        "TIER0_SOMETHING_UNKNOWN", "ignored",
        "PATH", "/usr/bin"));
    assertThat(config.bootstrapServers()).isEqualTo("env:9092");
    assertThat(config.getString("milvus.uri")).isEqualTo("http://env:19530");
    assertThat(config.ingestSettings().maxRecords()).isEqualTo(7);
    Properties streams = config.streamsProperties(new AppMetrics());
    assertThat(streams.get("commit.interval.ms")).isEqualTo("50");
    assertThat(streams.get("num.stream.threads")).isEqualTo("3");
    assertThat(streams.get("bootstrap.servers")).isEqualTo("env:9092");
    assertThat(streams).doesNotContainKeys("something.unknown", "milvus.uri", "ingest.batch.max.records");
  }

  @Test
  void shouldPassKafkaSettingsThroughAndSetTheAppsHandlersAndLowLatencyProducer() throws Exception {
    Map<String, Object> props = new HashMap<>();
    props.put("search.request.topic", "requests");
    props.put("processing.guarantee", "exactly_once_v2");
    props.put("security.protocol", "SSL");
    AppMetrics metrics = new AppMetrics();
    Properties streams = new AppConfig(props).streamsProperties(metrics);
    assertThat(streams.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo("exactly_once_v2");
    assertThat(streams.get("security.protocol")).isEqualTo("SSL");
    assertThat(streams.get("producer.linger.ms")).isEqualTo(0);
    assertThat(streams.get(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG))
        .isEqualTo(ReportingDeserializationHandler.class);
    assertThat(streams.get(ReportingDeserializationHandler.METRICS_CONFIG)).isSameAs(metrics);
    assertThat(new AppConfig(props).ingestSettings()).as("no ingest topic: no ingest").isNull();
  }

  @Test
  void shouldGiveExactlyOnceTransactionsTimeForAWholeFlushUnlessTheUserSetsATimeout() {
    Map<String, Object> eos = new HashMap<>(Map.of("processing.guarantee", "exactly_once_v2", "ingest.topic", "in"));
    assertThat(new AppConfig(eos).streamsProperties(new AppMetrics()).get("producer.transaction.timeout.ms"))
        .isEqualTo(60_000);

    Map<String, Object> plain = new HashMap<>(eos);
    plain.put("transaction.timeout.ms", "20000");
    Properties streams = new AppConfig(plain).streamsProperties(new AppMetrics());
    assertThat(streams.get("transaction.timeout.ms")).isEqualTo("20000");
    assertThat(streams).as("a prefixed default would beat the user's unprefixed value")
        .doesNotContainKey("producer.transaction.timeout.ms");

    Map<String, Object> prefixed = new HashMap<>(eos);
    prefixed.put("producer.transaction.timeout.ms", "30000");
    assertThat(new AppConfig(prefixed).streamsProperties(new AppMetrics()).get("producer.transaction.timeout.ms"))
        .isEqualTo("30000");

    assertThat(new AppConfig(Map.of("ingest.topic", "in")).streamsProperties(new AppMetrics()))
        .as("at_least_once has no transactions").doesNotContainKey("producer.transaction.timeout.ms");
  }

  @Test
  void shouldBuildTheSearchAndIngestSettingsFromTheirKeys() {
    AppConfig config = new AppConfig(Map.of("ingest.topic", "in", "search.request.topic", "req",
        "search.top.k.max", "20", "search.filter.keys", "kind, source", "ingest.flush.interval.ms", "250",
        "record.tenant.default", "shared"));
    assertThat(config.ingestSettings().flushInterval()).isEqualTo(Duration.ofMillis(250));
    assertThat(config.searchLimits().maxTopK()).isEqualTo(20);
    assertThat(config.searchLimits().filterKeys()).containsExactlyInAnyOrder("kind", "source");
    assertThat(config.searchLimits().defaultTenant()).isEqualTo("shared");
    assertThat(config.searchReplyTopic()).isEqualTo("tier0.search.replies");
  }

  @Test
  void shouldRefuseAConfigurationWithNothingToDoOrABadValue() {
    assertThatThrownBy(() -> new AppConfig(Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("nothing to do");
    assertThatThrownBy(() -> new AppConfig(Map.of("ingest.topic", "in", "processing.guarantee", "exactly_once")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("processing.guarantee");
    assertThatThrownBy(() -> new AppConfig(Map.of("ingest.topic", "in", "record.id.strategy", "field")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("record.id.field");
  }

  @Test
  void shouldRefuseWhatTheConnectorRefusesWithTheSameMessage() throws Exception {
    // the same config and words as the connector's ConfigChecksTest: one set of checks for both runtimes
    Path model = Files.createDirectories(dir.resolve("model"));
    Files.writeString(model.resolve("tier0-model.json"), """
        {"name": "tiny", "dimension": 64, "outputs": ["last_hidden_state"], "last_n": 1,
         "max_length": 32, "padding": "longest"}""");
    Files.writeString(model.resolve("model.onnx"), "not read by validation");
    Files.writeString(model.resolve("tokenizer.json"), "{}");
    assertThatThrownBy(() -> new AppConfig(Map.of("ingest.topic", "in", "model.dir", model.toString(),
        "model.execution.provider", "coreml")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("model.execution.provider")
        .hasMessageContaining("coreml needs static input shapes, but model 'tiny' pads to the longest text of each "
            + "batch; use a model whose spec sets padding to fixed or buckets, or the cpu provider");
    assertThatThrownBy(() -> new AppConfig(Map.of("ingest.topic", "in", "model.dir", dir.resolve("nope").toString())))
        .isInstanceOf(ConfigException.class).hasMessageContaining("is not a directory");
  }
}
