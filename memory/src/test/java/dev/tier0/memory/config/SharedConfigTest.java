package dev.tier0.memory.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tier0.embed.CoreMlComputeUnits;
import dev.tier0.embed.EngineMode;
import dev.tier0.embed.EngineOptions;
import dev.tier0.embed.ExecutionProvider;
import dev.tier0.memory.IdStrategy;
import dev.tier0.memory.MappingConfig;
import dev.tier0.milvus.MilvusConfig;
import dev.tier0.milvus.VectorType;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SharedConfigTest {

  private static final ConfigDef DEF = SharedConfig.define(new ConfigDef());

  private static AbstractConfig parse(Map<String, String> props) {
    return new AbstractConfig(DEF, props);
  }

  @Test
  void shouldDefaultToTheBundledModelAndTheMappingDefaults() {
    AbstractConfig config = parse(Map.of());
    assertThat(SharedConfig.configuredModelDir(config)).isEmpty();
    assertThat(SharedConfig.milvusToken(config)).isEmpty();
    assertThat(SharedConfig.mappingConfig(config)).isEqualTo(MappingConfig.defaults());
    assertThat(SharedConfig.crossFieldProblems(config)).isEmpty();
  }

  @Test
  void shouldTurnRecordKeysIntoTheMappingConfig() {
    AbstractConfig config = parse(Map.ofEntries(
        Map.entry("record.text.field", "payload.body"),
        Map.entry("record.id.strategy", "FIELD"),
        Map.entry("record.id.field", "uid"),
        Map.entry("record.tenant.field", "meta.tenant"),
        Map.entry("record.tenant.default", "acme"),
        Map.entry("record.metadata.fields", "author, tags"),
        Map.entry("record.header.fields", "trace"),
        Map.entry("record.text.max.bytes", "1000"),
        Map.entry("record.id.max.bytes", "64"),
        Map.entry("delete.on.tombstone", "false"),
        Map.entry("record.delete.field", "__deleted")));
    assertThat(SharedConfig.mappingConfig(config)).isEqualTo(MappingConfig.builder()
        .textField("payload.body").idStrategy(IdStrategy.FIELD).idField("uid").tenantField("meta.tenant")
        .defaultTenant("acme").metadataFields(List.of("author", "tags")).headerFields(List.of("trace"))
        .maxTextBytes(1000).maxIdBytes(64).deleteOnTombstone(false).deleteField("__deleted").build());
  }

  @Test
  void shouldBuildEngineOptionsFromModelKeys() {
    AbstractConfig config = parse(Map.of(
        "model.execution.provider", "CPU",
        "model.execution.strict", "true",
        "model.threads", "2",
        "model.coreml.compute.units", "CPUAndNeuralEngine",
        "model.coreml.cache.dir", "/tmp/coreml",
        "model.batch.max.records", "16",
        "model.batch.max.tokens", "4096",
        "model.mode", "throughput",
        "model.concurrent.runs", "3"));
    assertThat(SharedConfig.engineOptions(config, EngineMode.LATENCY)).isEqualTo(EngineOptions.builder()
        .provider(ExecutionProvider.CPU).strict(true).intraOpThreads(2)
        .coreMlComputeUnits(CoreMlComputeUnits.CPU_AND_NEURAL_ENGINE).coreMlCacheDir(Path.of("/tmp/coreml"))
        .batchMaxRecords(16).batchMaxTokens(4096).mode(EngineMode.THROUGHPUT).concurrentRuns(3).build());
    assertThat(SharedConfig.engineOptions(parse(Map.of()), EngineMode.LATENCY)).isEqualTo(EngineOptions.defaults());
  }

  @Test
  void shouldLetEachRuntimeSayWhatAutoModeMeans() {
    assertThat(SharedConfig.engineOptions(parse(Map.of()), EngineMode.THROUGHPUT).mode())
        .isEqualTo(EngineMode.THROUGHPUT);
    assertThat(SharedConfig.engineOptions(parse(Map.of("model.mode", "Latency")), EngineMode.THROUGHPUT).mode())
        .isEqualTo(EngineMode.LATENCY);
  }

  @Test
  void shouldBuildTheMilvusConfigFromMilvusKeys() {
    MilvusConfig milvus = SharedConfig.milvusConfig(parse(Map.of(
        "milvus.uri", "https://milvus.example:443",
        "milvus.token", "root:Milvus",
        "milvus.database", "memories",
        "milvus.collection", "agent_memories",
        "milvus.vector.type", "float16_vector",
        "milvus.index.m", "32",
        "milvus.index.ef.construction", "400",
        "milvus.search.ef", "80",
        "milvus.tls.ca.cert.path", "/etc/ca.pem",
        "milvus.rpc.timeout.ms", "5000")));
    assertThat(milvus.uri()).isEqualTo("https://milvus.example:443");
    assertThat(milvus.token()).isEqualTo("root:Milvus");
    assertThat(milvus.database()).isEqualTo("memories");
    assertThat(milvus.collection()).isEqualTo("agent_memories");
    assertThat(milvus.vectorType()).isEqualTo(VectorType.FLOAT16_VECTOR);
    assertThat(List.of(milvus.indexM(), milvus.indexEfConstruction(), milvus.searchEf())).containsExactly(32, 400, 80);
    assertThat(milvus.caCertPath()).isEqualTo("/etc/ca.pem");
    assertThat(milvus.serverCertPath()).isNull();
    assertThat(milvus.rpcTimeoutMs()).isEqualTo(5000L);
    MilvusConfig defaults = SharedConfig.milvusConfig(parse(Map.of()));
    assertThat(defaults.uri()).isEqualTo(MilvusConfig.DEFAULT_URI);
    assertThat(defaults.collection()).isEqualTo(MilvusConfig.DEFAULT_COLLECTION);
    assertThat(defaults.token()).isNull();
    assertThat(defaults.database()).isNull();
  }

  @Test
  void shouldUseAConfiguredModelDirectoryAsGiven() {
    assertThat(SharedConfig.modelDir(parse(Map.of("model.dir", "/models/qwen3")))).isEqualTo(Path.of("/models/qwen3"));
  }

  @Test
  void shouldKeepTheTokenAPasswordThatNeverPrints() {
    AbstractConfig config = parse(Map.of("milvus.token", "root:Milvus"));
    assertThat(SharedConfig.milvusToken(config)).contains("root:Milvus");
    assertThat(config.values().get("milvus.token").toString()).doesNotContain("Milvus");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "model.execution.provider|gpu|one of auto, cpu, cuda, coreml (case-insensitive)",
      "model.coreml.compute.units|NPU|one of ALL, CPUAndNeuralEngine, CPUAndGPU, CPUOnly (case-insensitive)",
      "model.batch.max.records|-1|Value must be at least 0",
      "model.threads|-1|Value must be at least 0",
      "model.mode|fast|one of auto, latency, throughput (case-insensitive)",
      "model.concurrent.runs|-1|Value must be at least 0",
      "milvus.uri|localhost:19530|a Milvus endpoint such as http://localhost:19530",
      "milvus.uri|ftp://host|a Milvus endpoint",
      "milvus.collection|1abc|a Milvus collection name",
      "milvus.vector.type|BINARY_VECTOR|one of FLOAT_VECTOR, FLOAT16_VECTOR",
      "milvus.index.m|1|Value must be at least 2",
      "record.text.field|a..b|a field path such as text or payload.body",
      "record.text.field|''|a field path such as text or payload.body",
      "record.id.strategy|uuid|one of key, field, coordinates",
      "record.tenant.default|not a tenant|a tenant name",
      "record.text.max.bytes|70000|Value must be no more than 65535",
      "record.id.max.bytes|513|Value must be no more than 512",
  })
  void shouldRejectAnInvalidValueSayingWhatIsValid(String key, String value, String expected) {
    Map<String, String> props = new HashMap<>();
    props.put(key, value);
    assertThatThrownBy(() -> parse(props))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(key)
        .hasMessageContaining(expected);
  }

  @Test
  void shouldReportEachInvalidKeyOnItselfDuringValidation() {
    Map<String, ConfigValue> results = new HashMap<>();
    DEF.validate(Map.of("record.id.strategy", "uuid", "milvus.uri", "nowhere")).forEach(v -> results.put(v.name(), v));
    assertThat(results.get("record.id.strategy").errorMessages()).singleElement().asString()
        .contains("one of key, field, coordinates");
    assertThat(results.get("milvus.uri").errorMessages()).singleElement().asString().contains("Milvus endpoint");
    assertThat(results.get("record.text.field").errorMessages()).isEmpty();
  }

  @Test
  void shouldPutCrossFieldProblemsOnTheKeyAtFault() {
    assertThat(SharedConfig.crossFieldProblems(parse(Map.of("record.id.strategy", "field"))))
        .containsOnlyKeys("record.id.field");
    assertThat(SharedConfig.crossFieldProblems(parse(Map.of("record.tenant.field", "text"))))
        .containsOnlyKeys("record.tenant.field");
    assertThat(SharedConfig.crossFieldProblems(parse(Map.of("milvus.tls.client.cert.path", "/c.pem"))))
        .containsOnlyKeys("milvus.tls.client.key.path");
    assertThat(SharedConfig.crossFieldProblems(parse(Map.of("milvus.tls.client.key.path", "/k.pem"))))
        .containsOnlyKeys("milvus.tls.client.cert.path");
    assertThat(SharedConfig.crossFieldProblems(parse(Map.of("record.id.strategy", "coordinates",
        "record.delete.field", "__deleted")))).containsOnlyKeys("record.delete.field");
  }

  @Test
  void shouldDescribeEveryKeyInAGroup() {
    assertThat(DEF.configKeys().values()).allSatisfy(key -> {
      assertThat(key.documentation).isNotBlank();
      assertThat(key.group).isIn(SharedConfig.MODEL_GROUP, SharedConfig.MILVUS_GROUP, SharedConfig.RECORD_GROUP,
          SharedConfig.CHUNK_GROUP);
      assertThat(key.displayName).isNotBlank();
    });
  }
}
