package dev.tier0.memory.config;

import dev.tier0.embed.BundledModel;
import dev.tier0.embed.CoreMlComputeUnits;
import dev.tier0.embed.EngineMode;
import dev.tier0.embed.EngineOptions;
import dev.tier0.embed.ExecutionProvider;
import dev.tier0.memory.IdStrategy;
import dev.tier0.memory.MappingConfig;
import dev.tier0.memory.MemoryMapper;
import dev.tier0.milvus.MilvusConfig;
import dev.tier0.milvus.VectorType;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.types.Password;

/**
 * The configuration vocabulary shared by the Connect sink and the Streams app: one set of names, docs, defaults
 * and validators for the model, the Milvus store and the record mapping, so a user learns it once.
 *
 * <p>Each user builds its own {@link ConfigDef} with {@link #define(ConfigDef)} (or the per-group methods) and its
 * own {@link AbstractConfig}; the static accessors here turn a parsed config into the typed settings objects.
 */
public final class SharedConfig {
  private SharedConfig() {}

  public static final String MODEL_GROUP = "Model";
  public static final String MILVUS_GROUP = "Milvus";
  public static final String RECORD_GROUP = "Record mapping";
  public static final String CHUNK_GROUP = "Chunking";

  // ---- model.*
  public static final String MODEL_DIR = "model.dir";
  public static final String MODEL_EXECUTION_PROVIDER = "model.execution.provider";
  public static final String MODEL_EXECUTION_STRICT = "model.execution.strict";
  public static final String MODEL_COREML_COMPUTE_UNITS = "model.coreml.compute.units";
  public static final String MODEL_COREML_CACHE_DIR = "model.coreml.cache.dir";
  public static final String MODEL_THREADS = "model.threads";
  public static final String MODEL_BATCH_MAX_RECORDS = "model.batch.max.records";
  public static final String MODEL_BATCH_MAX_TOKENS = "model.batch.max.tokens";
  public static final String MODEL_MODE = "model.mode";
  public static final String MODEL_CONCURRENT_RUNS = "model.concurrent.runs";

  // ---- milvus.*
  public static final String MILVUS_URI = "milvus.uri";
  public static final String MILVUS_TOKEN = "milvus.token";
  public static final String MILVUS_DATABASE = "milvus.database";
  public static final String MILVUS_COLLECTION = "milvus.collection";
  public static final String MILVUS_VECTOR_TYPE = "milvus.vector.type";
  public static final String MILVUS_INDEX_M = "milvus.index.m";
  public static final String MILVUS_INDEX_EF_CONSTRUCTION = "milvus.index.ef.construction";
  public static final String MILVUS_SEARCH_EF = "milvus.search.ef";
  public static final String MILVUS_TLS_SERVER_CERT_PATH = "milvus.tls.server.cert.path";
  public static final String MILVUS_TLS_SERVER_NAME = "milvus.tls.server.name";
  public static final String MILVUS_TLS_CA_CERT_PATH = "milvus.tls.ca.cert.path";
  public static final String MILVUS_TLS_CLIENT_CERT_PATH = "milvus.tls.client.cert.path";
  public static final String MILVUS_TLS_CLIENT_KEY_PATH = "milvus.tls.client.key.path";
  public static final String MILVUS_CONNECT_TIMEOUT_MS = "milvus.connect.timeout.ms";
  public static final String MILVUS_RPC_TIMEOUT_MS = "milvus.rpc.timeout.ms";

  // ---- record.*
  public static final String RECORD_TEXT_FIELD = "record.text.field";
  public static final String RECORD_ID_STRATEGY = "record.id.strategy";
  public static final String RECORD_ID_FIELD = "record.id.field";
  public static final String RECORD_TENANT_FIELD = "record.tenant.field";
  public static final String RECORD_TENANT_DEFAULT = "record.tenant.default";
  public static final String RECORD_METADATA_FIELDS = "record.metadata.fields";
  public static final String RECORD_HEADER_FIELDS = "record.header.fields";
  public static final String RECORD_TEXT_MAX_BYTES = "record.text.max.bytes";
  public static final String RECORD_ID_MAX_BYTES = "record.id.max.bytes";
  /** Write keys both runtimes read with the same meaning (each defines them with its own defaults and docs). */
  public static final String WRITE_BATCH_MAX_RECORDS = "write.batch.max.records";
  public static final String WRITE_RETRY_MAX_RETRIES = "write.retry.max.retries";
  public static final String WRITE_RETRY_BACKOFF_MS = "write.retry.backoff.ms";
  public static final String WRITE_RETRY_BACKOFF_MAX_MS = "write.retry.backoff.max.ms";
  public static final String RECORD_METADATA_MAX_BYTES = "record.metadata.max.bytes";
  public static final String RECORD_METADATA_MAX_DEPTH = "record.metadata.max.depth";
  public static final String DELETE_ON_TOMBSTONE = "delete.on.tombstone";
  public static final String CHUNK_MAX_TOKENS = "chunk.max.tokens";
  public static final String CHUNK_OVERLAP_TOKENS = "chunk.overlap.tokens";
  public static final String CHUNK_MAX_PER_MEMORY = "chunk.max.per.memory";
  public static final String CHUNK_OVERFLOW = "chunk.overflow";
  public static final String RECORD_DELETE_FIELD = "record.delete.field";
  /** Milvus's limit on one JSON field value: metadata must stay under it. */
  public static final int MILVUS_JSON_MAX_BYTES = 65_536;

  public static final String DEFAULT_MILVUS_URI = "http://localhost:19530";
  public static final String DEFAULT_COLLECTION = "tier0_memories";
  /** Milvus collection names: a letter or underscore, then letters, digits, underscores. */
  public static final Pattern COLLECTION_PATTERN = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,254}");

  /** Every shared key, in the order of the groups: model, Milvus, record mapping. */
  public static ConfigDef define(ConfigDef def) {
    return defineChunk(defineRecord(defineMilvus(defineModel(def))));
  }

  /**
   * chunk.* defaults, one home for both runtimes and ChunkSettings.defaults(). Why 64: measured on the garden-shed
   * case (ingest's ChunkedMemoriesIT and its sweep in the README, "Long memories"): a one-sentence fact wins against
   * an unrelated short memory in 38 of 40 placements in 64-token passages, 24 of 40 at 72 and 3 of 40 at 128,
   * because mean pooling dilutes it by the passage's other words. 128 passages of 64 tokens cover up to ~7,900
   * tokens (about 6,000 of prose cut at sentence ends), near the ~8,000 that 64 of 128 covered.
   */
  public static final int CHUNK_MAX_TOKENS_DEFAULT = 64;
  public static final int CHUNK_OVERLAP_TOKENS_DEFAULT = 16;
  public static final int CHUNK_MAX_PER_MEMORY_DEFAULT = 128;

  /** How a long memory is cut into passages (one Milvus row each, all under the memory's id). */
  public static ConfigDef defineChunk(ConfigDef def) {
    int order = 0;
    return def
        .define(CHUNK_MAX_TOKENS, Type.INT, CHUNK_MAX_TOKENS_DEFAULT, Range.between(0, 1 << 20),
            Importance.MEDIUM,
            "Tokens per passage, the model's special tokens included. A memory longer than this is stored as "
                + "several passages (rows) under its id, so every word is searchable. A value over the model's "
                + "max_length (256 for the bundled MiniLM, 32 for the Neural Engine Qwen3) is capped there; 0 means "
                + "max_length. Passages end at a sentence or line end where one lies in their second half. The "
                + "default of 64 was measured: a one-sentence fact is diluted by the words around it (mean pooling), "
                + "and in 64-token passages it outscored an unrelated short memory in 38 of 40 placements, in "
                + "128-token passages in 3 of 40.",
            CHUNK_GROUP, ++order, Width.SHORT, "Passage size (tokens)")
        .define(CHUNK_OVERLAP_TOKENS, Type.INT, CHUNK_OVERLAP_TOKENS_DEFAULT, Range.between(0, 1 << 20),
            Importance.LOW,
            "Tokens a passage repeats from the end of the one before when that one had to end inside a sentence "
                + "(no sentence or line end in its second half), so a sentence cut in two is whole in one of them. "
                + "After a sentence end nothing is repeated. At most half a passage is used.",
            CHUNK_GROUP, ++order, Width.SHORT, "Passage overlap (tokens)")
        .define(CHUNK_MAX_PER_MEMORY, Type.INT, CHUNK_MAX_PER_MEMORY_DEFAULT, Range.between(1, 100_000),
            Importance.LOW,
            "Most passages one memory may have; what happens past it is " + CHUNK_OVERFLOW + ".",
            CHUNK_GROUP, ++order, Width.SHORT, "Passages per memory")
        .define(CHUNK_OVERFLOW, Type.STRING, "truncate", ConfigValidators.oneOf("truncate", "reject"),
            Importance.LOW,
            "A memory that needs more than " + CHUNK_MAX_PER_MEMORY + " passages: truncate keeps the first ones "
                + "and stores the memory marked truncated (returned with its search hits); reject sends it to the "
                + "dead-letter queue with the reason.",
            CHUNK_GROUP, ++order, Width.SHORT, "Too many passages");
  }

  public static ConfigDef defineModel(ConfigDef def) {
    int order = 0;
    return def
        .define(MODEL_DIR, Type.STRING, "", ConfigValidators.optionalPath(), Importance.HIGH,
            "Directory holding the model: model.onnx (plus external data), tokenizer.json and tier0-model.json "
                + "(the spec: dimension, outputs, pooling, max_length, padding). Empty: the bundled "
                + "all-MiniLM-L6-v2 (384 dimensions).",
            MODEL_GROUP, ++order, Width.LONG, "Model directory")
        .define(MODEL_EXECUTION_PROVIDER, Type.STRING, "auto",
            ConfigValidators.oneOf("auto", "cpu", "cuda", "coreml"), Importance.MEDIUM,
            "Where ONNX Runtime runs the model. auto: CoreML on Apple silicon, CUDA when available, else CPU. "
                + "coreml compiles static shapes, so it needs a model whose spec pads to a fixed length or to "
                + "buckets.",
            MODEL_GROUP, ++order, Width.SHORT, "Execution provider")
        .define(MODEL_EXECUTION_STRICT, Type.BOOLEAN, false, Importance.LOW,
            "When true, a requested execution provider that cannot be used is an error; when false the engine "
                + "logs a warning and falls back to CPU.",
            MODEL_GROUP, ++order, Width.SHORT, "Strict execution provider")
        .define(MODEL_COREML_COMPUTE_UNITS, Type.STRING, "ALL",
            ConfigValidators.oneOf("ALL", "CPUAndNeuralEngine", "CPUAndGPU", "CPUOnly"), Importance.LOW,
            "CoreML only: which Apple silicon units the compiled model may use.",
            MODEL_GROUP, ++order, Width.SHORT, "CoreML compute units")
        .define(MODEL_COREML_CACHE_DIR, Type.STRING, "", ConfigValidators.optionalPath(), Importance.LOW,
            "CoreML only: where compiled models are kept across restarts. Empty: <model.dir>/.coreml-cache.",
            MODEL_GROUP, ++order, Width.LONG, "CoreML cache directory")
        .define(MODEL_THREADS, Type.INT, 0, Range.atLeast(0), Importance.MEDIUM,
            "ONNX Runtime intra-op threads for the shared model. 0: ONNX Runtime's default (one per core).",
            MODEL_GROUP, ++order, Width.SHORT, "Inference threads")
        .define(MODEL_BATCH_MAX_RECORDS, Type.INT, 0, Range.between(0, 4096), Importance.MEDIUM,
            "Most texts embedded in one inference run. 0: the engine mode's choice, "
                + EngineOptions.LATENCY_BATCH_RECORDS + " in latency mode (one run over every core) and "
                + EngineOptions.THROUGHPUT_BATCH_RECORDS + " in throughput mode (one run per core, measured faster "
                + "with " + EngineOptions.THROUGHPUT_BATCH_RECORDS + ").",
            MODEL_GROUP, ++order, Width.SHORT, "Batch size (records)")
        .define(MODEL_BATCH_MAX_TOKENS, Type.INT, 8192, Range.between(1, 1 << 20), Importance.MEDIUM,
            "Most padded tokens (rows x padded length) in one inference run: bounds the memory of one batch. In "
                + "throughput mode it bounds all the runs in flight together (each batch gets its share).",
            MODEL_GROUP, ++order, Width.SHORT, "Batch size (tokens)")
        .define(MODEL_MODE, Type.STRING, "auto", ConfigValidators.oneOf("auto", "latency", "throughput"),
            Importance.MEDIUM,
            "How the model spends the cores on many texts. latency: one inference run at a time, spread over "
                + MODEL_THREADS + " threads (the fastest single query). throughput: several batches at once over the "
                + "one loaded model (" + MODEL_CONCURRENT_RUNS + "), one thread each unless " + MODEL_THREADS
                + " says otherwise; more texts per second, a single query runs on one thread. auto: throughput in "
                + "the connector and in a streams app that only ingests, latency in a streams app that serves "
                + "search (its queries share the model).",
            MODEL_GROUP, ++order, Width.SHORT, "Engine mode")
        .define(MODEL_CONCURRENT_RUNS, Type.INT, 0, Range.between(0, 256), Importance.LOW,
            "Throughput mode: inference runs in flight at once for the shared model. 0: one per core.",
            MODEL_GROUP, ++order, Width.SHORT, "Concurrent runs");
  }

  public static ConfigDef defineMilvus(ConfigDef def) {
    int order = 0;
    return def
        .define(MILVUS_URI, Type.STRING, DEFAULT_MILVUS_URI, ConfigValidators.milvusUri(), Importance.HIGH,
            "The Milvus endpoint (Milvus standalone or cluster, Zilliz Cloud, or Milvus Lite's server).",
            MILVUS_GROUP, ++order, Width.LONG, "Milvus URI")
        .define(MILVUS_TOKEN, Type.PASSWORD, null, Importance.HIGH,
            "Milvus credentials: \"user:password\", or a Zilliz Cloud API key. Never logged.",
            MILVUS_GROUP, ++order, Width.MEDIUM, "Milvus token")
        .define(MILVUS_DATABASE, Type.STRING, "", Importance.LOW,
            "The Milvus database. Empty: the server's default database.",
            MILVUS_GROUP, ++order, Width.MEDIUM, "Milvus database")
        .define(MILVUS_COLLECTION, Type.STRING, DEFAULT_COLLECTION,
            ConfigValidators.matching(COLLECTION_PATTERN, "a Milvus collection name"), Importance.HIGH,
            "The collection memories are stored in. Created with tier0's schema when missing; verified when "
                + "present (a different vector dimension is an error).",
            MILVUS_GROUP, ++order, Width.MEDIUM, "Collection")
        .define(MILVUS_VECTOR_TYPE, Type.STRING, "FLOAT_VECTOR",
            ConfigValidators.oneOf("FLOAT_VECTOR", "FLOAT16_VECTOR"), Importance.LOW,
            "How vectors are stored when the collection is created. FLOAT16_VECTOR halves the storage but needs "
                + "a server that supports it (not Milvus Lite).",
            MILVUS_GROUP, ++order, Width.SHORT, "Vector type")
        .define(MILVUS_INDEX_M, Type.INT, 16, Range.between(2, 2048), Importance.LOW,
            "HNSW M (graph degree) when the collection is created.",
            MILVUS_GROUP, ++order, Width.SHORT, "HNSW M")
        .define(MILVUS_INDEX_EF_CONSTRUCTION, Type.INT, 200, Range.between(1, Integer.MAX_VALUE), Importance.LOW,
            "HNSW efConstruction when the collection is created.",
            MILVUS_GROUP, ++order, Width.SHORT, "HNSW efConstruction")
        .define(MILVUS_SEARCH_EF, Type.INT, 50, Range.between(1, 32768), Importance.LOW,
            "HNSW ef for searches (at least top_k).",
            MILVUS_GROUP, ++order, Width.SHORT, "Search ef")
        .define(MILVUS_TLS_SERVER_CERT_PATH, Type.STRING, "", ConfigValidators.optionalPath(), Importance.LOW,
            "One-way TLS: the server's certificate (PEM).",
            MILVUS_GROUP, ++order, Width.LONG, "TLS server certificate")
        .define(MILVUS_TLS_SERVER_NAME, Type.STRING, "", Importance.LOW,
            "TLS: the name the server certificate was issued for, when it differs from the URI's host.",
            MILVUS_GROUP, ++order, Width.MEDIUM, "TLS server name")
        .define(MILVUS_TLS_CA_CERT_PATH, Type.STRING, "", ConfigValidators.optionalPath(), Importance.LOW,
            "Mutual TLS: the CA certificate (PEM) that signed the server's certificate.",
            MILVUS_GROUP, ++order, Width.LONG, "TLS CA certificate")
        .define(MILVUS_TLS_CLIENT_CERT_PATH, Type.STRING, "", ConfigValidators.optionalPath(), Importance.LOW,
            "Mutual TLS: this client's certificate (PEM); needs " + MILVUS_TLS_CLIENT_KEY_PATH + ".",
            MILVUS_GROUP, ++order, Width.LONG, "TLS client certificate")
        .define(MILVUS_TLS_CLIENT_KEY_PATH, Type.STRING, "", ConfigValidators.optionalPath(), Importance.LOW,
            "Mutual TLS: this client's private key (PEM); needs " + MILVUS_TLS_CLIENT_CERT_PATH + ".",
            MILVUS_GROUP, ++order, Width.LONG, "TLS client key")
        .define(MILVUS_CONNECT_TIMEOUT_MS, Type.LONG, 10_000L, Range.between(1, Integer.MAX_VALUE), Importance.LOW,
            "How long to wait for a connection to Milvus.",
            MILVUS_GROUP, ++order, Width.SHORT, "Connect timeout (ms)")
        .define(MILVUS_RPC_TIMEOUT_MS, Type.LONG, 30_000L, Range.between(1, Integer.MAX_VALUE), Importance.LOW,
            "How long one Milvus call may take before it counts as failed (and, when transient, is retried).",
            MILVUS_GROUP, ++order, Width.SHORT, "RPC timeout (ms)");
  }

  public static ConfigDef defineRecord(ConfigDef def) {
    int order = 0;
    return def
        .define(RECORD_TEXT_FIELD, Type.STRING, "text", ConfigValidators.fieldPath(), Importance.HIGH,
            "Where the text is in a JSON object or Struct value (a dotted path such as payload.body). A plain "
                + "string value is the text itself.",
            RECORD_GROUP, ++order, Width.MEDIUM, "Text field")
        .define(RECORD_ID_STRATEGY, Type.STRING, "key", ConfigValidators.oneOf("key", "field", "coordinates"),
            Importance.HIGH,
            "Where a memory's id comes from: key (the record key), field (" + RECORD_ID_FIELD + " of the value) "
                + "or coordinates (topic-partition-offset). All are deterministic: a replayed record overwrites "
                + "its memory instead of duplicating it.",
            RECORD_GROUP, ++order, Width.SHORT, "Id strategy")
        .define(RECORD_ID_FIELD, Type.STRING, "", ConfigValidators.optionalFieldPath(), Importance.MEDIUM,
            "The id's field path when " + RECORD_ID_STRATEGY + "=field.",
            RECORD_GROUP, ++order, Width.MEDIUM, "Id field")
        .define(RECORD_TENANT_FIELD, Type.STRING, "", ConfigValidators.optionalFieldPath(), Importance.MEDIUM,
            "The tenant's field path. Empty, or a record without it: " + RECORD_TENANT_DEFAULT + ". A tenant "
                + "must match " + MappingConfig.TENANT_PATTERN.pattern() + ".",
            RECORD_GROUP, ++order, Width.MEDIUM, "Tenant field")
        .define(RECORD_TENANT_DEFAULT, Type.STRING, "default",
            ConfigValidators.matching(MappingConfig.TENANT_PATTERN, "a tenant name"), Importance.LOW,
            "The tenant of records that carry none.",
            RECORD_GROUP, ++order, Width.MEDIUM, "Default tenant")
        .define(RECORD_METADATA_FIELDS, Type.LIST, "", ConfigValidators.fieldPathList(), Importance.MEDIUM,
            "Fields kept as metadata. Empty: every field that is not the text, id or tenant.",
            RECORD_GROUP, ++order, Width.LONG, "Metadata fields")
        .define(RECORD_HEADER_FIELDS, Type.LIST, "", ConfigValidators.fieldPathList(), Importance.LOW,
            "Record headers copied into the metadata under \"headers\" (an allow-list; empty: none).",
            RECORD_GROUP, ++order, Width.LONG, "Header fields")
        .define(RECORD_TEXT_MAX_BYTES, Type.INT, MappingConfig.MAX_TEXT_BYTES,
            Range.between(1, MappingConfig.MAX_TEXT_BYTES), Importance.LOW,
            "Hard cap on a text's UTF-8 size: a longer text is rejected (dead-letter queue), never cut.",
            RECORD_GROUP, ++order, Width.SHORT, "Text size cap (bytes)")
        .define(RECORD_ID_MAX_BYTES, Type.INT, MappingConfig.MAX_ID_BYTES,
            Range.between(1, MappingConfig.MAX_ID_BYTES), Importance.LOW,
            "Hard cap on an id's UTF-8 size: a longer id is rejected (dead-letter queue).",
            RECORD_GROUP, ++order, Width.SHORT, "Id size cap (bytes)")
        .define(RECORD_METADATA_MAX_BYTES, Type.INT, MILVUS_JSON_MAX_BYTES, Range.between(2, MILVUS_JSON_MAX_BYTES),
            Importance.LOW,
            "Cap on a memory's metadata as JSON, in bytes: a record over it is rejected (dead-letter queue) before "
                + "the write, so it cannot make Milvus refuse its whole batch. Milvus's own limit is "
                + MILVUS_JSON_MAX_BYTES + ".",
            RECORD_GROUP, ++order, Width.SHORT, "Metadata size cap (bytes)")
        .define(RECORD_METADATA_MAX_DEPTH, Type.INT, 64, Range.between(1, MemoryMapper.MAX_METADATA_NESTING), Importance.LOW,
            "Deepest nesting of objects and arrays in metadata: a record nested deeper is rejected (dead-letter "
                + "queue) before the write. Milvus Lite fails on about 990 levels.",
            RECORD_GROUP, ++order, Width.SHORT, "Metadata depth cap")
        .define(DELETE_ON_TOMBSTONE, Type.BOOLEAN, true, Importance.MEDIUM,
            "A record with a key and a null value deletes the memory with that id. false: tombstones are ignored.",
            RECORD_GROUP, ++order, Width.SHORT, "Delete on tombstone")
        .define(RECORD_DELETE_FIELD, Type.STRING, "", ConfigValidators.optionalFieldPath(), Importance.MEDIUM,
            "A delete marker's field path in the value, for change-data-capture topics that mark deletes instead "
                + "of (or as well as) sending tombstones, such as __deleted from Debezium's ExtractNewRecordState "
                + "with delete.tombstone.handling.mode=rewrite or rewrite-with-tombstone (delete.handling.mode=rewrite "
                + "before Debezium 2.5). A record whose marker is true (a boolean, or the string "
                + "\"true\" in any case) deletes the memory its id names, exactly as a tombstone does, whatever "
                + DELETE_ON_TOMBSTONE + " says; false, null or absent: the record is stored, without the marker in "
                + "its metadata; any other value is rejected. Needs " + RECORD_ID_STRATEGY + " key or field. "
                + "Empty: no marker.",
            RECORD_GROUP, ++order, Width.MEDIUM, "Delete marker field");
  }

  // ---- typed accessors

  /** The configured model directory, or empty for the bundled default. */
  public static Optional<Path> configuredModelDir(AbstractConfig config) {
    return nonEmpty(config.getString(MODEL_DIR)).map(Path::of);
  }

  /** The model directory to load: the configured one, or the bundled default (extracted on first use). */
  public static Path modelDir(AbstractConfig config) {
    return configuredModelDir(config).orElseGet(BundledModel::directory);
  }

  /**
   * The engine options these keys describe.
   *
   * @param autoMode the mode {@code model.mode=auto} means for the calling runtime: {@link EngineMode#THROUGHPUT}
   *                 for bulk ingest (the connector, a streams app without search), {@link EngineMode#LATENCY}
   *                 for a streams app that serves search (its queries share the model)
   */
  public static EngineOptions engineOptions(AbstractConfig config, EngineMode autoMode) {
    String mode = config.getString(MODEL_MODE).trim();
    return EngineOptions.builder()
        .mode(mode.equalsIgnoreCase("auto") ? autoMode : EngineMode.parse(mode))
        .concurrentRuns(config.getInt(MODEL_CONCURRENT_RUNS))
        .provider(ExecutionProvider.parse(config.getString(MODEL_EXECUTION_PROVIDER)))
        .strict(config.getBoolean(MODEL_EXECUTION_STRICT))
        .intraOpThreads(config.getInt(MODEL_THREADS))
        .coreMlComputeUnits(CoreMlComputeUnits.parse(config.getString(MODEL_COREML_COMPUTE_UNITS)))
        .coreMlCacheDir(nonEmpty(config.getString(MODEL_COREML_CACHE_DIR)).map(Path::of).orElse(null))
        .batchMaxRecords(config.getInt(MODEL_BATCH_MAX_RECORDS))
        .batchMaxTokens(config.getInt(MODEL_BATCH_MAX_TOKENS))
        .build();
  }

  public static MilvusConfig milvusConfig(AbstractConfig config) {
    return MilvusConfig.builder()
        .uri(config.getString(MILVUS_URI).trim())
        .token(milvusToken(config).orElse(null))
        .database(nonEmpty(config.getString(MILVUS_DATABASE)).orElse(null))
        .collection(config.getString(MILVUS_COLLECTION))
        .vectorType(VectorType.valueOf(config.getString(MILVUS_VECTOR_TYPE).trim().toUpperCase(Locale.ROOT)))
        .indexM(config.getInt(MILVUS_INDEX_M))
        .indexEfConstruction(config.getInt(MILVUS_INDEX_EF_CONSTRUCTION))
        .searchEf(config.getInt(MILVUS_SEARCH_EF))
        .serverCertPath(nonEmpty(config.getString(MILVUS_TLS_SERVER_CERT_PATH)).orElse(null))
        .serverName(nonEmpty(config.getString(MILVUS_TLS_SERVER_NAME)).orElse(null))
        .caCertPath(nonEmpty(config.getString(MILVUS_TLS_CA_CERT_PATH)).orElse(null))
        .clientCertPath(nonEmpty(config.getString(MILVUS_TLS_CLIENT_CERT_PATH)).orElse(null))
        .clientKeyPath(nonEmpty(config.getString(MILVUS_TLS_CLIENT_KEY_PATH)).orElse(null))
        .connectTimeoutMs(config.getLong(MILVUS_CONNECT_TIMEOUT_MS))
        .rpcTimeoutMs(config.getLong(MILVUS_RPC_TIMEOUT_MS))
        .build();
  }

  public static MappingConfig mappingConfig(AbstractConfig config) {
    return MappingConfig.builder()
        .textField(config.getString(RECORD_TEXT_FIELD))
        .idStrategy(IdStrategy.parse(config.getString(RECORD_ID_STRATEGY)))
        .idField(nonEmpty(config.getString(RECORD_ID_FIELD)).orElse(null))
        .tenantField(nonEmpty(config.getString(RECORD_TENANT_FIELD)).orElse(null))
        .defaultTenant(config.getString(RECORD_TENANT_DEFAULT))
        .metadataFields(trimmed(config.getList(RECORD_METADATA_FIELDS)))
        .headerFields(trimmed(config.getList(RECORD_HEADER_FIELDS)))
        .maxTextBytes(config.getInt(RECORD_TEXT_MAX_BYTES))
        .maxIdBytes(config.getInt(RECORD_ID_MAX_BYTES))
        .deleteOnTombstone(config.getBoolean(DELETE_ON_TOMBSTONE))
        .deleteField(nonEmpty(config.getString(RECORD_DELETE_FIELD)).orElse(null))
        .build();
  }

  /** The token's value, or empty; the {@link Password} type keeps it out of logs until here. */
  public static Optional<String> milvusToken(AbstractConfig config) {
    Password token = config.getPassword(MILVUS_TOKEN);
    return token == null ? Optional.empty() : nonEmpty(token.value());
  }

  /**
   * Checks across keys that need no I/O, each message under the key at fault (the one a user should change).
   * Empty when the combination is valid. Callers with I/O (model spec, Milvus) add their own checks.
   */
  public static Map<String, String> crossFieldProblems(AbstractConfig config) {
    Map<String, String> problems = new LinkedHashMap<>();
    if (IdStrategy.parse(config.getString(RECORD_ID_STRATEGY)) == IdStrategy.FIELD
        && nonEmpty(config.getString(RECORD_ID_FIELD)).isEmpty()) {
      problems.put(RECORD_ID_FIELD, RECORD_ID_STRATEGY + "=field needs the id's field path in " + RECORD_ID_FIELD);
    }
    if (IdStrategy.parse(config.getString(RECORD_ID_STRATEGY)) == IdStrategy.COORDINATES
        && nonEmpty(config.getString(RECORD_DELETE_FIELD)).isPresent()) {
      problems.put(RECORD_DELETE_FIELD, "a delete marker needs ids that name a memory across records, but "
          + RECORD_ID_STRATEGY + "=coordinates gives every record a new one; use key or field");
    }
    String text = config.getString(RECORD_TEXT_FIELD);
    if (text.equals(config.getString(RECORD_TENANT_FIELD))) {
      problems.put(RECORD_TENANT_FIELD, "the tenant cannot be read from the text field '" + text + "'");
    }
    boolean clientCert = nonEmpty(config.getString(MILVUS_TLS_CLIENT_CERT_PATH)).isPresent();
    boolean clientKey = nonEmpty(config.getString(MILVUS_TLS_CLIENT_KEY_PATH)).isPresent();
    if (clientCert && !clientKey) {
      problems.put(MILVUS_TLS_CLIENT_KEY_PATH, "mutual TLS needs the client key as well as "
          + MILVUS_TLS_CLIENT_CERT_PATH);
    } else if (clientKey && !clientCert) {
      problems.put(MILVUS_TLS_CLIENT_CERT_PATH, "mutual TLS needs the client certificate as well as "
          + MILVUS_TLS_CLIENT_KEY_PATH);
    }
    return problems;
  }

  static Optional<String> nonEmpty(String value) {
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
  }

  private static List<String> trimmed(List<String> values) {
    return values.stream().map(String::trim).filter(v -> !v.isEmpty()).toList();
  }
}
