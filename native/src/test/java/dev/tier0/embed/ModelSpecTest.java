package dev.tier0.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ModelSpecTest {
  private static final String FULL = """
      {
        "name": "all-minilm-l6-v2",
        "dimension": 384,
        "outputs": ["hidden_state.3", "hidden_state.4", "hidden_state.5", "hidden_state.6"],
        "pooling": "mean",
        "last_n": 4,
        "max_length": 32,
        "padding": "fixed",
        "buckets": [32, 64, 128, 256, 512],
        "padding_side": "right",
        "pad_token_id": 0,
        "dtype": "float32",
        "query_template": null,
        "mrl_dimension": null,
        "model_file": "model.onnx",
        "tokenizer_file": "tokenizer.json"
      }""";

  @Test
  void parsesTheContractExample() {
    ModelSpec spec = ModelSpec.parse(FULL);
    assertThat(spec.name()).isEqualTo("all-minilm-l6-v2");
    assertThat(spec.dimension()).isEqualTo(384);
    assertThat(spec.pooledOutputs()).containsExactly("hidden_state.3", "hidden_state.4", "hidden_state.5", "hidden_state.6");
    assertThat(spec.padding()).isEqualTo(ModelSpec.Padding.FIXED);
    assertThat(spec.outputDimension()).isEqualTo(384);
  }

  @Test
  void appliesDefaultsAndRoundTripsThroughJson() {
    ModelSpec spec = ModelSpec.parse("{\"name\":\"m\",\"dimension\":8,\"outputs\":[\"a\",\"b\"]}");
    assertThat(spec.lastN()).isEqualTo(2);
    assertThat(spec.maxLength()).isEqualTo(32);
    assertThat(spec.pooling()).isEqualTo(ModelSpec.Pooling.MEAN);
    assertThat(spec.paddingSide()).isEqualTo(ModelSpec.PaddingSide.RIGHT);
    assertThat(spec.modelFile()).isEqualTo("model.onnx");
    assertThat(ModelSpec.parse(spec.toJson())).isEqualTo(spec);
    assertThat(ModelSpec.parse(BundledModel.spec().toJson())).isEqualTo(BundledModel.spec());
  }

  @Test
  void lastNSelectsTheLastOutputs() {
    ModelSpec spec = ModelSpec.parse("{\"name\":\"m\",\"dimension\":8,\"outputs\":[\"a\",\"b\",\"c\"],\"last_n\":2}");
    assertThat(spec.pooledOutputs()).containsExactly("b", "c");
  }

  @Test
  void queryTemplateReplacesThePlaceholder() {
    ModelSpec spec = ModelSpec.parse("{\"name\":\"m\",\"dimension\":8,\"outputs\":[\"a\"],"
        + "\"query_template\":\"Instruct: find\\nQuery:{query}\"}");
    assertThat(spec.formatQuery("cats")).isEqualTo("Instruct: find\nQuery:cats");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "name          | {\"dimension\":8,\"outputs\":[\"a\"]}                                   | is required",
      "dimension     | {\"name\":\"m\",\"dimension\":0,\"outputs\":[\"a\"]}                    | positive integer",
      "dimension     | {\"name\":\"m\",\"dimension\":\"384\",\"outputs\":[\"a\"]}              | positive integer",
      "outputs       | {\"name\":\"m\",\"dimension\":8,\"outputs\":[]}                         | non-empty array",
      "outputs       | {\"name\":\"m\",\"dimension\":8,\"outputs\":[\"a\",\"a\"]}              | twice",
      "last_n        | {\"name\":\"m\",\"dimension\":8,\"outputs\":[\"a\"],\"last_n\":4}       | lists only 1",
      "pooling       | {\"name\":\"m\",\"dimension\":8,\"outputs\":[\"a\"],\"pooling\":\"max\"} | [mean, last_token, cls]",
      "padding       | {\"name\":\"m\",\"dimension\":8,\"outputs\":[\"a\"],\"padding\":\"dynamic\"} | [fixed, longest, buckets]",
      "padding_side  | {\"name\":\"m\",\"dimension\":8,\"outputs\":[\"a\"],\"padding_side\":\"up\"} | [right, left]",
      "pad_token_id  | {\"name\":\"m\",\"dimension\":8,\"outputs\":[\"a\"],\"pad_token_id\":-1} | non-negative",
      "dtype         | {\"name\":\"m\",\"dimension\":8,\"outputs\":[\"a\"],\"dtype\":\"bf16\"}  | [float32, float16]",
      "buckets       | {\"name\":\"m\",\"dimension\":8,\"outputs\":[\"a\"],\"buckets\":[64,32]} | increasing",
      "max_length    | {\"name\":\"m\",\"dimension\":8,\"outputs\":[\"a\"],\"max_length\":1.5}  | positive integer",
      "mrl_dimension | {\"name\":\"m\",\"dimension\":8,\"outputs\":[\"a\"],\"mrl_dimension\":16} | <= dimension 8",
      "query_template| {\"name\":\"m\",\"dimension\":8,\"outputs\":[\"a\"],\"query_template\":\"Q:\"} | {query}",
      "model_file    | {\"name\":\"m\",\"dimension\":8,\"outputs\":[\"a\"],\"model_file\":\"../x.onnx\"} | inside the model directory",
      "colour        | {\"name\":\"m\",\"dimension\":8,\"outputs\":[\"a\"],\"colour\":\"red\"}  | unknown field",
  })
  void aWrongValueNamesItsField(String field, String json, String message) {
    assertThatThrownBy(() -> ModelSpec.parse(json))
        .isInstanceOf(ModelSpecException.class)
        .hasMessageContaining("\"" + field + "\"")
        .hasMessageContaining(message)
        .extracting(e -> ((ModelSpecException) e).field()).isEqualTo(field);
  }

  @Test
  void invalidJsonIsASpecError() {
    assertThatThrownBy(() -> ModelSpec.parse("{\"name\":")).isInstanceOf(ModelSpecException.class)
        .hasMessageContaining("not valid JSON");
  }

  @Test
  void readingADirectoryChecksTheFilesExist(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Files.writeString(dir.resolve(ModelSpec.FILE_NAME), "{\"name\":\"m\",\"dimension\":8,\"outputs\":[\"a\"]}");
    assertThatThrownBy(() -> ModelSpec.read(dir)).isInstanceOf(ModelSpecException.class)
        .hasMessageContaining("\"model_file\"").hasMessageContaining("model.onnx");
    java.nio.file.Files.writeString(dir.resolve("model.onnx"), "");
    assertThatThrownBy(() -> ModelSpec.read(dir)).hasMessageContaining("\"tokenizer_file\"");
  }
}
