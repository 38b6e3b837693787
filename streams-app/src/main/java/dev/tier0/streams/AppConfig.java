package dev.tier0.streams;

import dev.tier0.ingest.RetryPolicy;
import dev.tier0.ingest.ChunkSettings;
import dev.tier0.ingest.WriteLimits;
import dev.tier0.memory.config.SharedChecks;
import dev.tier0.memory.config.SharedConfig;
import dev.tier0.registry.RegistryConfig;
import dev.tier0.registry.RegistryConfigDef;
import dev.tier0.streams.format.TopicFormat;
import dev.tier0.streams.ingest.IngestSettings;
import dev.tier0.streams.search.SearchSettings;
import dev.tier0.streams.search.SearchLimits;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streams app's configuration: the vocabulary shared with the connector ({@link SharedConfig}: model.*,
 * milvus.*, record.*, delete.on.tombstone), the app's own ingest.* / search.* / health.* keys, and any Kafka
 * Streams or client property, passed through. Every key can be overridden by an environment variable: upper case,
 * dots as underscores, prefixed TIER0_ (milvus.uri -> TIER0_MILVUS_URI).
 */
public final class AppConfig extends AbstractConfig {
  public static final String ENV_PREFIX = "TIER0_";
  private static final String APP_GROUP = "Streams app";

  public static final String INGEST_TOPIC = "ingest.topic";
  /** Deprecated alias of {@link SharedConfig#WRITE_BATCH_MAX_RECORDS}, the connector's name for the same knob. */
  public static final String INGEST_BATCH_MAX_RECORDS = "ingest.batch.max.records";
  public static final String INGEST_BATCH_MAX_TOKENS = "ingest.batch.max.tokens";
  public static final String INGEST_FLUSH_INTERVAL_MS = "ingest.flush.interval.ms";
  public static final String INGEST_PREPARE_AHEAD = "ingest.prepare.ahead";
  /** Deprecated alias of {@link SharedConfig#WRITE_RETRY_BACKOFF_MAX_MS}: the wait between flushes while down. */
  public static final String INGEST_RETRY_BACKOFF_MS = "ingest.retry.backoff.ms";
  public static final String SEARCH_REQUEST_TOPIC = "search.request.topic";
  public static final String SEARCH_REPLY_TOPIC = "search.reply.topic";
  public static final String SEARCH_TOP_K_DEFAULT = "search.top.k.default";
  public static final String SEARCH_TOP_K_MAX = "search.top.k.max";
  public static final String SEARCH_QUERY_MAX_BYTES = "search.query.max.bytes";
  public static final String SEARCH_FILTER_KEYS = "search.filter.keys";
  public static final String SEARCH_BATCH_MAX_REQUESTS = "search.batch.max.requests";
  public static final String SEARCH_BATCH_WINDOW_MS = "search.batch.window.ms";
  public static final String INGEST_KEY_FORMAT = "ingest.key.format";
  public static final String INGEST_FORMAT = "ingest.format";
  public static final String SEARCH_REQUEST_FORMAT = "search.request.format";
  public static final String SEARCH_REPLY_FORMAT = "search.reply.format";
  public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
  public static final String SEARCH_PARALLELISM = "search.parallelism";
  public static final String HEALTH_HOST = "health.host";
  public static final String HEALTH_PORT = "health.port";

  /** Appended to application.id for the search side's own Kafka Streams instance. */
  public static final String SEARCH_APPLICATION_ID_SUFFIX = "-search";

  private static final Logger LOG = LoggerFactory.getLogger(AppConfig.class);
  static final ConfigDef DEF = definition();

  public AppConfig(Map<?, ?> props) {
    super(DEF, props, false);
    // the connector's checks too, so a config one runtime refuses the other does not run
    Map<String, String> problems = SharedChecks.check(this).problems();
    if (!problems.isEmpty()) {
      Map.Entry<String, String> first = problems.entrySet().iterator().next();
      throw new ConfigException(first.getKey(), get(first.getKey()), first.getValue());
    }
    if (usesSchemaRegistry() && getList(RegistryConfig.URL).isEmpty()) {
      throw new ConfigException(RegistryConfig.URL, "", "required: a topic format is avro ("
          + INGEST_KEY_FORMAT + "=" + ingestKeyFormat() + ", " + INGEST_FORMAT + "=" + ingestFormat() + ", "
          + SEARCH_REQUEST_FORMAT + "=" + searchRequestFormat() + ", "
          + SEARCH_REPLY_FORMAT + "=" + searchReplyFormat() + ")");
    }
    for (String[] alias : new String[][] {{INGEST_BATCH_MAX_RECORDS, SharedConfig.WRITE_BATCH_MAX_RECORDS},
        {INGEST_RETRY_BACKOFF_MS, SharedConfig.WRITE_RETRY_BACKOFF_MAX_MS}}) {
      if (originals().containsKey(alias[0])) {
        LOG.warn("{} is deprecated: use {} (the connector's name for it){}", alias[0], alias[1],
            originals().containsKey(alias[1]) ? "; both are set, " + alias[1] + " wins" : "");
      }
    }
    if (ingestSettings() == null && searchRequestTopic() == null) {
      throw new ConfigException(INGEST_TOPIC, "", "set " + INGEST_TOPIC + " or " + SEARCH_REQUEST_TOPIC
          + ": the app has nothing to do");
    }
  }

  private static ConfigDef definition() {
    ConfigDef def = new ConfigDef();
    int order = 0;
    def.define(StreamsConfig.APPLICATION_ID_CONFIG, Type.STRING, "tier0-streams", Importance.HIGH,
            "Kafka Streams application id of ingest: its consumer group and the prefix of its internal topics. "
                + "Search runs as a second Kafka Streams instance in the same JVM under this id + '"
                + SEARCH_APPLICATION_ID_SUFFIX + "', so a search never waits for an ingest flush (earlier "
                + "versions ran both under this id; see the streams-app README, Upgrading).",
            APP_GROUP, ++order, ConfigDef.Width.MEDIUM, "Application id")
        .define(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, Type.STRING, "localhost:9092", Importance.HIGH,
            "Kafka brokers.", APP_GROUP, ++order, ConfigDef.Width.LONG, "Bootstrap servers")
        .define(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, Type.STRING, StreamsConfig.AT_LEAST_ONCE,
            ConfigDef.ValidString.in(StreamsConfig.AT_LEAST_ONCE, StreamsConfig.EXACTLY_ONCE_V2), Importance.MEDIUM,
            "at_least_once: a crash may re-send a reply or re-upsert a batch (harmless: ids are deterministic). "
                + "exactly_once_v2: replies, dead letters and the pending stores are written in transactions "
                + "(clients must read with isolation.level=read_committed).",
            APP_GROUP, ++order, ConfigDef.Width.SHORT, "Processing guarantee")
        .define(INGEST_TOPIC, Type.STRING, "", Importance.HIGH,
            "Topic of records to embed and store; empty: no ingest.", APP_GROUP, ++order, ConfigDef.Width.MEDIUM,
            "Ingest topic")
        .define(SharedConfig.WRITE_BATCH_MAX_RECORDS, Type.INT, 256, Range.atLeast(1), Importance.MEDIUM,
            "Flush the pending ingest batch when it holds this many records (the connector's key of the same "
                + "name). Deprecated alias: " + INGEST_BATCH_MAX_RECORDS + ".", APP_GROUP, ++order,
            ConfigDef.Width.SHORT, "Ingest batch records")
        .define(INGEST_BATCH_MAX_TOKENS, Type.INT, 32_768, Range.atLeast(1), Importance.MEDIUM,
            "... or when its texts hold this many tokens (those of the passages its texts are cut into, special "
                + "tokens included, before chunk.max.per.memory).", APP_GROUP, ++order, ConfigDef.Width.SHORT,
            "Ingest batch tokens")
        .define(INGEST_FLUSH_INTERVAL_MS, Type.LONG, 500L, Range.atLeast(1), Importance.MEDIUM,
            "... or when this many milliseconds (wall clock) have passed.", APP_GROUP, ++order,
            ConfigDef.Width.SHORT, "Ingest flush interval")
        .define(INGEST_PREPARE_AHEAD, Type.BOOLEAN, true, Importance.LOW,
            "Embed a batch on an embed thread (one per stream thread) while the stream thread goes on parking "
                + "records, and store it on the stream thread once ready; false: each flush embeds and stores "
                + "before the stream thread goes on.", APP_GROUP, ++order, ConfigDef.Width.SHORT,
            "Ingest prepare-ahead")
        .define(SharedConfig.WRITE_RETRY_MAX_RETRIES, Type.INT, 5, Range.between(0, 1000), Importance.MEDIUM,
            "Retries of a store call that failed transiently (Milvus unreachable, timeouts, rate limits) within "
                + "one flush; after them the writes stay pending (nothing is lost) and the next flush waits "
                + SharedConfig.WRITE_RETRY_BACKOFF_MAX_MS + ".", APP_GROUP, ++order, ConfigDef.Width.SHORT,
            "Retries")
        .define(SharedConfig.WRITE_RETRY_BACKOFF_MS, Type.LONG, 200L, Range.between(0, 600_000), Importance.LOW,
            "The first retry's delay; each further retry doubles it, up to " + SharedConfig.WRITE_RETRY_BACKOFF_MAX_MS
                + ".", APP_GROUP, ++order, ConfigDef.Width.SHORT, "Retry backoff (ms)")
        .define(SharedConfig.WRITE_RETRY_BACKOFF_MAX_MS, Type.LONG, 5_000L, Range.between(0, 3_600_000),
            Importance.LOW,
            "The longest delay between two retries, and the wait before a flush tries again after the store was "
                + "unavailable. Deprecated alias: " + INGEST_RETRY_BACKOFF_MS + ".", APP_GROUP, ++order,
            ConfigDef.Width.SHORT, "Max retry backoff (ms)")
        .define(INGEST_BATCH_MAX_RECORDS, Type.INT, null, Importance.LOW,
            "Deprecated: use " + SharedConfig.WRITE_BATCH_MAX_RECORDS + ".", APP_GROUP, ++order,
            ConfigDef.Width.SHORT, "(deprecated) " + INGEST_BATCH_MAX_RECORDS)
        .define(INGEST_RETRY_BACKOFF_MS, Type.LONG, null, Importance.LOW,
            "Deprecated: use " + SharedConfig.WRITE_RETRY_BACKOFF_MAX_MS + ".", APP_GROUP, ++order,
            ConfigDef.Width.SHORT, "(deprecated) " + INGEST_RETRY_BACKOFF_MS)
        .define(SEARCH_REQUEST_TOPIC, Type.STRING, "", Importance.HIGH,
            "Topic of search requests; empty: no search.", APP_GROUP, ++order, ConfigDef.Width.MEDIUM,
            "Search request topic")
        .define(SEARCH_REPLY_TOPIC, Type.STRING, "tier0.search.replies", Importance.HIGH,
            "Replies go to the topic in the request's kafka_replyTopic header, else here.", APP_GROUP, ++order,
            ConfigDef.Width.MEDIUM, "Default reply topic")
        .define(SEARCH_TOP_K_DEFAULT, Type.INT, 5, Range.atLeast(1), Importance.LOW,
            "top_k of a request that has none.", APP_GROUP, ++order, ConfigDef.Width.SHORT, "Default top_k")
        .define(SEARCH_TOP_K_MAX, Type.INT, 100, Range.between(1, 16_384), Importance.MEDIUM,
            "Largest top_k a request may ask for.", APP_GROUP, ++order, ConfigDef.Width.SHORT, "Max top_k")
        .define(SEARCH_QUERY_MAX_BYTES, Type.INT, 8_192, Range.atLeast(1), Importance.LOW,
            "Longest query accepted, in UTF-8 bytes.", APP_GROUP, ++order, ConfigDef.Width.SHORT, "Max query bytes")
        .define(SEARCH_FILTER_KEYS, Type.LIST, "", Importance.MEDIUM,
            "Metadata keys a filter may use; empty: any plain identifier.", APP_GROUP, ++order,
            ConfigDef.Width.LONG, "Filter keys")
        .define(SEARCH_BATCH_MAX_REQUESTS, Type.INT, 32, Range.atLeast(1), Importance.LOW,
            "Requests embedded together at most.", APP_GROUP, ++order, ConfigDef.Width.SHORT, "Search batch")
        .define(SEARCH_BATCH_WINDOW_MS, Type.LONG, 1L, Range.atLeast(1), Importance.LOW,
            "Flush period of the search micro-batch; requests polled together are answered together.",
            APP_GROUP, ++order, ConfigDef.Width.SHORT, "Search batch window")
        .define(INGEST_FORMAT, Type.STRING, "json", ConfigDef.CaseInsensitiveValidString.in(TopicFormat.names()),
            Importance.MEDIUM, "Ingest values: json (a JSON object, or plain text when the value is not an object), "
                + "string (the value is the text), avro (Confluent wire format through schema.registry.url; Avro "
                + "records use the same field paths as JSON).", APP_GROUP, ++order, ConfigDef.Width.SHORT,
            "Ingest format")
        .define(INGEST_KEY_FORMAT, Type.STRING, "string", ConfigDef.CaseInsensitiveValidString.in("string", "avro"),
            Importance.LOW, "Ingest keys: string (UTF-8 bytes, the id as they are) or avro (Confluent wire format: "
                + "an Avro string or number, read through schema.registry.url).", APP_GROUP, ++order,
            ConfigDef.Width.SHORT, "Ingest key format")
        .define(SEARCH_REQUEST_FORMAT, Type.STRING, "json",
            ConfigDef.CaseInsensitiveValidString.in(TopicFormat.names()), Importance.MEDIUM,
            "Search requests: json, string (the value is the query), avro (a record with the JSON request's fields, "
                + "see search-request.avsc, through schema.registry.url).", APP_GROUP, ++order,
            ConfigDef.Width.SHORT, "Search request format")
        .define(SEARCH_REPLY_FORMAT, Type.STRING, "json", ConfigDef.CaseInsensitiveValidString.in("json", "avro"),
            Importance.MEDIUM, "Search replies: json, or avro (search-reply.avsc, registered under "
                + "<reply topic>-value).", APP_GROUP, ++order, ConfigDef.Width.SHORT, "Search reply format")
        .define(AUTO_REGISTER_SCHEMAS, Type.BOOLEAN, true, Importance.LOW,
            "Register the Avro reply schema under <reply topic>-value; false: it must be registered already.",
            APP_GROUP, ++order, ConfigDef.Width.SHORT, "Auto-register the reply schema")
        .define(SEARCH_PARALLELISM, Type.INT, 1, Range.between(1, 64), Importance.LOW,
            "Searches of one micro-batch sent to the store at once. Milvus Lite answers one at a time (measured: "
                + "no gain), a Milvus server in parallel.", APP_GROUP, ++order, ConfigDef.Width.SHORT,
            "Search parallelism")
        .define(HEALTH_HOST, Type.STRING, "0.0.0.0", Importance.LOW,
            "Address of the HTTP health endpoint.", APP_GROUP, ++order, ConfigDef.Width.MEDIUM, "Health host")
        .define(HEALTH_PORT, Type.INT, 8090, Range.atLeast(-1), Importance.LOW,
            "Port of GET /health (200 when running) and GET /metrics; 0: any free port; -1: off.", APP_GROUP,
            ++order, ConfigDef.Width.SHORT, "Health port");
    return SharedConfig.define(RegistryConfigDef.define(def));
  }

  /** A properties file (optional), then environment overrides. */
  public static AppConfig load(Path file, Map<String, String> env) {
    Map<String, Object> props = new LinkedHashMap<>();
    if (file != null) {
      Properties p = new Properties();
      try (InputStream in = Files.newInputStream(file)) {
        p.load(in);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      }
      p.stringPropertyNames().forEach(k -> props.put(k, p.getProperty(k)));
    }
    props.putAll(environmentOverrides(env, props.keySet()));
    return new AppConfig(props);
  }

  /** TIER0_X_Y=v becomes x.y=v for the keys this app or Kafka knows, and for keys already in the file. */
  static Map<String, String> environmentOverrides(Map<String, String> env, Set<String> fileKeys) {
    Set<String> known = new HashSet<>(DEF.names());
    known.addAll(fileKeys);
    known.addAll(StreamsConfig.configDef().names());
    known.addAll(ConsumerConfig.configNames());
    known.addAll(ProducerConfig.configNames());
    known.addAll(AdminClientConfig.configNames());
    Map<String, String> byEnvName = new HashMap<>();
    for (String key : known) {
      byEnvName.put(ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'), key);
    }
    Map<String, String> overrides = new LinkedHashMap<>();
    env.forEach((name, value) -> {
      String key = byEnvName.get(name);
      if (key != null) {
        overrides.put(key, value);
      }
    });
    return overrides;
  }

  public String applicationId() {
    return getString(StreamsConfig.APPLICATION_ID_CONFIG);
  }

  /**
   * The search side's application id, {@code application.id + "-search"}: its consumer group, the prefix of its
   * internal topics and of its state directory.
   */
  public String searchApplicationId() {
    return applicationId() + SEARCH_APPLICATION_ID_SUFFIX;
  }

  public String bootstrapServers() {
    return getString(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG);
  }

  /** Kafka Streams' dead-letter topic, also used for records the mapping rejects; null when unset. */
  public String deadLetterTopic() {
    Object topic = originals().get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
    return topic == null || topic.toString().isBlank() ? null : topic.toString().trim();
  }

  /** Null when ingest is off. */
  public IngestSettings ingestSettings() {
    String topic = getString(INGEST_TOPIC).trim();
    if (topic.isEmpty()) {
      return null;
    }
    Number maxBackoff = aliased(SharedConfig.WRITE_RETRY_BACKOFF_MAX_MS, INGEST_RETRY_BACKOFF_MS);
    RetryPolicy retry = new RetryPolicy(getInt(SharedConfig.WRITE_RETRY_MAX_RETRIES),
        Duration.ofMillis(Math.min(getLong(SharedConfig.WRITE_RETRY_BACKOFF_MS), maxBackoff.longValue())),
        Duration.ofMillis(maxBackoff.longValue()));
    return new IngestSettings(topic, deadLetterTopic(),
        aliased(SharedConfig.WRITE_BATCH_MAX_RECORDS, INGEST_BATCH_MAX_RECORDS).intValue(),
        getInt(INGEST_BATCH_MAX_TOKENS), Duration.ofMillis(getLong(INGEST_FLUSH_INTERVAL_MS)), retry,
        WriteLimits.from(this), ChunkSettings.from(this),
        flushBudget(IngestSettings.DEFAULT_FLUSH_BUDGET), getBoolean(INGEST_PREPARE_AHEAD));
  }

  /** A side's flush budget under this app's poll interval and transaction timeout ({@link FlushBudget}). */
  private Duration flushBudget(Duration preferred) {
    return FlushBudget.of(preferred, maxPollInterval(), transactionTimeout());
  }

  /** How long one search flush keeps starting searches ({@link FlushBudget}; search shares ingest's limits). */
  public Duration searchFlushBudget() {
    return flushBudget(SearchSettings.DEFAULT_FLUSH_BUDGET);
  }

  /** Under exactly_once_v2, the producers' transaction.timeout.ms as this app sets it; null under at_least_once. */
  Duration transactionTimeout() {
    if (!exactlyOnce()) {
      return null;
    }
    Object set = userTransactionTimeout();
    return Duration.ofMillis(set == null ? EOS_TRANSACTION_TIMEOUT_MS : Long.parseLong(set.toString().trim()));
  }

  /**
   * The stream threads' main consumer max.poll.interval.ms, as Kafka Streams resolves it: main.consumer.-prefixed
   * over consumer.-prefixed over the plain key, else the consumer's default (5 minutes).
   */
  public Duration maxPollInterval() {
    return mainConsumerMillis(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, DEFAULT_MAX_POLL_INTERVAL_MS);
  }

  /**
   * The stream threads' main consumer session.timeout.ms, resolved as {@link #maxPollInterval()} is, else the
   * consumer's default (45 s; Kafka Streams keeps it).
   */
  public Duration sessionTimeout() {
    return mainConsumerMillis(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, DEFAULT_SESSION_TIMEOUT_MS);
  }

  /** A main consumer setting in ms, as {@link #userMainConsumerSetting} finds it, else the default. */
  private Duration mainConsumerMillis(String key, long defaultMs) {
    Object set = userMainConsumerSetting(key);
    return Duration.ofMillis(set == null ? defaultMs : Long.parseLong(set.toString().trim()));
  }

  /** The user's value of a main consumer setting: main.consumer.-prefixed over consumer.-prefixed over plain. */
  private Object userMainConsumerSetting(String key) {
    return firstSet(StreamsConfig.mainConsumerPrefix(key), StreamsConfig.consumerPrefix(key), key);
  }

  private boolean exactlyOnce() {
    return StreamsConfig.EXACTLY_ONCE_V2.equals(getString(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
  }

  /** The user's transaction.timeout.ms (producer.-prefixed over plain, Kafka Streams' precedence), or null. */
  private Object userTransactionTimeout() {
    String key = ProducerConfig.TRANSACTION_TIMEOUT_CONFIG;
    return firstSet(StreamsConfig.producerPrefix(key), key);
  }

  /** The value of the first of {@code keys} the user set (most specific first), or null when none is set. */
  private Object firstSet(String... keys) {
    for (String k : keys) {
      Object v = originals().get(k);
      if (v != null) {
        return v;
      }
    }
    return null;
  }

  /** The consumer's own default of max.poll.interval.ms, which Kafka Streams keeps. */
  static final long DEFAULT_MAX_POLL_INTERVAL_MS = 300_000;

  /** The consumer's own default of session.timeout.ms, which Kafka Streams keeps. */
  static final long DEFAULT_SESSION_TIMEOUT_MS = 45_000;

  /** The value of {@code key}, or of its deprecated alias when only the alias is set. */
  private Number aliased(String key, String deprecatedAlias) {
    Object old = get(deprecatedAlias);
    if (old != null && !originals().containsKey(key)) {
      return (Number) old;
    }
    return (Number) get(key);
  }

  /** Null when search is off. */
  public String searchRequestTopic() {
    String topic = getString(SEARCH_REQUEST_TOPIC).trim();
    return topic.isEmpty() ? null : topic;
  }

  public String searchReplyTopic() {
    return getString(SEARCH_REPLY_TOPIC).trim();
  }

  public SearchLimits searchLimits() {
    return new SearchLimits(getInt(SEARCH_TOP_K_DEFAULT), getInt(SEARCH_TOP_K_MAX), getInt(SEARCH_QUERY_MAX_BYTES),
        SharedConfig.mappingConfig(this).defaultTenant(),
        new HashSet<>(getList(SEARCH_FILTER_KEYS).stream().map(String::trim).filter(s -> !s.isEmpty()).toList()));
  }

  public int searchBatchMaxRequests() {
    return getInt(SEARCH_BATCH_MAX_REQUESTS);
  }

  public Duration searchBatchWindow() {
    return Duration.ofMillis(getLong(SEARCH_BATCH_WINDOW_MS));
  }

  public TopicFormat ingestKeyFormat() {
    return TopicFormat.parse(getString(INGEST_KEY_FORMAT));
  }

  public TopicFormat ingestFormat() {
    return TopicFormat.parse(getString(INGEST_FORMAT));
  }

  public TopicFormat searchRequestFormat() {
    return TopicFormat.parse(getString(SEARCH_REQUEST_FORMAT));
  }

  public TopicFormat searchReplyFormat() {
    return TopicFormat.parse(getString(SEARCH_REPLY_FORMAT));
  }

  /** Whether an active topic is Avro, so the app needs a Schema Registry. */
  public boolean usesSchemaRegistry() {
    return ingestSettings() != null && (ingestFormat() == TopicFormat.AVRO || ingestKeyFormat() == TopicFormat.AVRO)
        || searchRequestTopic() != null
            && (searchRequestFormat() == TopicFormat.AVRO || searchReplyFormat() == TopicFormat.AVRO);
  }

  /** The registry client settings (Confluent's property names); only meaningful when {@link #usesSchemaRegistry}. */
  public RegistryConfig registryConfig() {
    return RegistryConfigDef.registryConfig(this);
  }

  public int schemaCacheCapacity() {
    return getInt(RegistryConfig.CACHE_CAPACITY);
  }

  public boolean autoRegisterSchemas() {
    return getBoolean(AUTO_REGISTER_SCHEMAS);
  }

  public int searchParallelism() {
    return getInt(SEARCH_PARALLELISM);
  }

  public String healthHost() {
    return getString(HEALTH_HOST);
  }

  public int healthPort() {
    return getInt(HEALTH_PORT);
  }

  /**
   * The transaction timeout under exactly_once_v2 unless the user sets transaction.timeout.ms. A transaction spans
   * a whole ingest flush (embedding a batch of up to write.batch.max.records / ingest.batch.max.tokens, then the
   * Milvus writes and their retries), which runs on the stream thread. Kafka Streams' own EOS default, 10 s, is
   * shorter than one full token budget (32,768 tokens at ~2,500-3,100 tokens/s on 2 cores, bench/run chunking):
   * the broker aborted the transaction mid-flush, the thread was fenced, its tasks closed dirty and the batch was
   * embedded again, over and over (the soak, issue 15: 30 fencings in 12 minutes on a loaded machine). 60 s is the
   * plain producer's default; the price is that a read_committed reader (a search client) can wait that long for
   * replies behind the open transaction of an instance killed without its state directory.
   */
  static final int EOS_TRANSACTION_TIMEOUT_MS = 60_000;

  /**
   * The ingest instance's Kafka Streams properties: those both instances share, and a poll of at most one write
   * batch unless the user sets max.poll.records.
   */
  public Properties streamsProperties(AppMetrics metrics) {
    Properties props = sharedStreamsProperties(metrics);
    IngestSettings ingest = ingestSettings();
    String maxPollRecords = ConsumerConfig.MAX_POLL_RECORDS_CONFIG;
    if (ingest != null && userMainConsumerSetting(maxPollRecords) == null) {
      // Backpressure: a poll brings at most one write batch, so a stream thread takes records in no faster than
      // its flushes write them. With Kafka Streams' 1,000, a thread whose flush budget ran out against a slow
      // Milvus parked the rest of every poll, and the backlog outgrew the pending store's guard and failed the
      // task again and again (the 100,000-record soak: 5,120 writes pending with Milvus up).
      props.put(StreamsConfig.mainConsumerPrefix(maxPollRecords), ingest.maxRecords());
    }
    return props;
  }

  /**
   * What both instances' properties hold: every key this app does not define itself (Streams and client settings
   * pass through), plus the app's choices, which the user can still override (linger.ms = 0 for replies).
   */
  private Properties sharedStreamsProperties(AppMetrics metrics) {
    Properties props = new Properties();
    props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 0);
    if (exactlyOnce() && userTransactionTimeout() == null) {
      props.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), EOS_TRANSACTION_TIMEOUT_MS);
    }
    props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, ReportingDeserializationHandler.class);
    props.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, ReplyProductionHandler.class);
    Set<String> own = new HashSet<>(DEF.names());
    own.removeAll(Set.of(StreamsConfig.APPLICATION_ID_CONFIG, StreamsConfig.BOOTSTRAP_SERVERS_CONFIG,
        StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
    originals().forEach((k, v) -> {
      if (!own.contains(k)) {
        props.put(k, v);
      }
    });
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId());
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, getString(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
    props.put(ReportingDeserializationHandler.METRICS_CONFIG, metrics);
    return props;
  }

  /**
   * The search instance's Kafka Streams properties: those both instances share (not ingest's poll size), under
   * {@link #searchApplicationId()}, with a client.id of its own when one is set (Kafka registers client metrics by
   * client.id, and two instances must not share one).
   */
  public Properties searchStreamsProperties(AppMetrics metrics) {
    Properties props = sharedStreamsProperties(metrics);
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, searchApplicationId());
    Object clientId = props.get(StreamsConfig.CLIENT_ID_CONFIG);
    if (clientId != null && !clientId.toString().isBlank()) {
      props.put(StreamsConfig.CLIENT_ID_CONFIG, clientId + SEARCH_APPLICATION_ID_SUFFIX);
    }
    return props;
  }

  /** Client properties for the app's own admin client (bootstrap and any security settings). */
  public Map<String, Object> adminProperties() {
    Map<String, Object> admin = new HashMap<>();
    Set<String> adminKeys = AdminClientConfig.configNames();
    originals().forEach((k, v) -> {
      if (adminKeys.contains(k)) {
        admin.put(k, v);
      }
    });
    admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    return admin;
  }
}
