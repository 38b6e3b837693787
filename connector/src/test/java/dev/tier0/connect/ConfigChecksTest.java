package dev.tier0.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tier0.milvus.TransientStoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.errors.ConnectException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigChecksTest {
  @TempDir
  Path dir;

  private static Map<String, List<String>> errors(ConfigChecks.CollectionProbe probe, Map<String, String> props) {
    Config config = new Tier0SinkConnector(new ConfigChecks(probe)).validate(props);
    Map<String, List<String>> errors = new HashMap<>();
    for (ConfigValue value : config.configValues()) {
      if (!value.errorMessages().isEmpty()) {
        errors.put(value.name(), value.errorMessages());
      }
    }
    return errors;
  }

  static final String COREML_LONGEST = "coreml needs static input shapes, but model 'tiny' pads to the longest "
      + "text of each batch; use a model whose spec sets padding to fixed or buckets, or the cpu provider";

  private static final ConfigChecks.CollectionProbe NO_COLLECTION = config -> Optional.empty();

  private Path modelDir(String padding) throws IOException {
    Files.writeString(dir.resolve("tier0-model.json"), """
        {"name": "tiny", "dimension": 64, "outputs": ["last_hidden_state"], "last_n": 1,
         "max_length": 32, "padding": "%s"}""".formatted(padding));
    Files.writeString(dir.resolve("model.onnx"), "not read by validation");
    Files.writeString(dir.resolve("tokenizer.json"), "{}");
    return dir;
  }

  @Test
  void shouldAcceptTheDefaultsWhenTheCollectionIsNew() {
    assertThat(errors(NO_COLLECTION, Map.of())).isEmpty();
  }

  @Test
  void shouldPutAnUnknownIdStrategyOnItsKeyAndSkipTheOtherChecks() {
    assertThat(errors(config -> { throw new AssertionError("no Milvus call for an invalid config"); },
        Map.of("record.id.strategy", "uuid")))
        .containsOnlyKeys("record.id.strategy");
  }

  @Test
  void shouldAskForTheIdFieldWhenTheStrategyIsField() {
    assertThat(errors(NO_COLLECTION, Map.of("record.id.strategy", "field")))
        .containsOnlyKeys("record.id.field");
  }

  @Test
  void shouldRejectCoreMlForAModelThatPadsToTheLongestText() throws IOException {
    Map<String, List<String>> errors = errors(NO_COLLECTION, Map.of("model.dir", modelDir("longest").toString(),
        "model.execution.provider", "coreml"));
    assertThat(errors).containsOnlyKeys("model.execution.provider");
    // the streams app refuses the same config with the same words (AppConfigTest)
    assertThat(errors.get("model.execution.provider")).containsExactly(COREML_LONGEST);
  }

  @Test
  void shouldRefuseToStartWithAConfigThatValidationRefuses() throws IOException {
    Map<String, String> props = Map.of("model.dir", modelDir("longest").toString(),
        "model.execution.provider", "coreml");
    assertThatThrownBy(() -> new Tier0SinkConnector(new ConfigChecks(NO_COLLECTION)).start(props))
        .isInstanceOf(ConnectException.class).hasMessageContaining(COREML_LONGEST);
  }

  @Test
  void shouldAcceptCoreMlForAModelWithFixedOrBucketedPadding() throws IOException {
    assertThat(errors(NO_COLLECTION, Map.of("model.dir", modelDir("fixed").toString(),
        "model.execution.provider", "coreml"))).isEmpty();
    assertThat(errors(NO_COLLECTION, Map.of("model.dir", modelDir("buckets").toString(),
        "model.execution.provider", "coreml"))).isEmpty();
  }

  @Test
  void shouldReportAModelDirectoryThatIsMissingOrBroken() throws IOException {
    assertThat(errors(NO_COLLECTION, Map.of("model.dir", dir.resolve("nope").toString())).get("model.dir"))
        .singleElement().asString().contains("is not a directory");
    Files.writeString(dir.resolve("tier0-model.json"), "{\"name\": \"x\", \"dimension\": 8, \"colour\": 1}");
    assertThat(errors(NO_COLLECTION, Map.of("model.dir", dir.toString())).get("model.dir"))
        .singleElement().asString().contains("not a usable model directory").contains("colour");
  }

  @Test
  void shouldRejectACollectionOfAnotherDimensionOnTheCollectionKey() {
    Map<String, List<String>> errors = errors(config -> Optional.of(768), Map.of("milvus.collection", "docs"));
    assertThat(errors).containsOnlyKeys("milvus.collection");
    assertThat(errors.get("milvus.collection")).singleElement().asString()
        .contains("'docs' holds 768-dimensional vectors").contains("produces 384");
    assertThat(errors(config -> Optional.of(384), Map.of())).isEmpty();
  }

  @Test
  void shouldReportAnUnreachableMilvusOnTheUri() {
    Map<String, List<String>> errors = errors(config -> {
      throw new TransientStoreException("gRPC UNAVAILABLE: connection refused", null);
    }, Map.of("milvus.uri", "http://milvus.invalid:19530"));
    assertThat(errors).containsOnlyKeys("milvus.uri");
    assertThat(errors.get("milvus.uri")).singleElement().asString()
        .contains("http://milvus.invalid:19530").contains("connection refused");
  }
}
