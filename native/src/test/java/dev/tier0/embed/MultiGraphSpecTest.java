package dev.tier0.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The multi-graph (CoreML-target) fields of tier0-model.json: graphs, token_embeddings, pooled_output. */
class MultiGraphSpecTest {
  static final String GRAPHS = "[{\"file\":\"graphs/b1-s32.onnx\",\"batch\":1,\"sequence\":32},"
      + "{\"file\":\"graphs/b8-s32.onnx\",\"batch\":8,\"sequence\":32},"
      + "{\"file\":\"graphs/b1-s64.onnx\",\"batch\":1,\"sequence\":64},"
      + "{\"file\":\"graphs/b8-s64.onnx\",\"batch\":8,\"sequence\":64}]";
  static final String TABLE = "{\"file\":\"token-embeddings.bin\",\"dtype\":\"float16\",\"rows\":10,\"dim\":4}";

  /** A valid multi-graph spec with one top-level field replaced (or added) by {@code override}. */
  static String spec(String field, String value) {
    StringBuilder json = new StringBuilder("{");
    String[][] fields = {{"name", "\"m\""}, {"dimension", "4"}, {"outputs", "[\"h.1\",\"h.2\"]"}, {"last_n", "2"},
        {"max_length", "64"}, {"padding", "\"buckets\""}, {"buckets", "[32,64]"}, {"padding_side", "\"right\""},
        {"pad_token_id", "3"}, {"dtype", "\"float32\""}, {"graphs", GRAPHS}, {"token_embeddings", TABLE},
        {"pooled_output", "null"}};
    boolean replaced = false;
    for (String[] f : fields) {
      String v = f[0].equals(field) ? value : f[1];
      replaced |= f[0].equals(field);
      if (v != null) {
        json.append(json.length() > 1 ? "," : "").append('"').append(f[0]).append("\":").append(v);
      }
    }
    if (!replaced && field != null) {
      json.append(",\"").append(field).append("\":").append(value);
    }
    return json.append("}").toString();
  }

  @Test
  void parsesGraphsTableAndPooledOutputAndRoundTrips() {
    ModelSpec spec = ModelSpec.parse(spec("pooled_output", "\"embedding\""));
    assertThat(spec.multiGraph()).isTrue();
    assertThat(spec.graphs()).containsExactly(new ModelSpec.StaticGraph("graphs/b1-s32.onnx", 1, 32),
        new ModelSpec.StaticGraph("graphs/b8-s32.onnx", 8, 32), new ModelSpec.StaticGraph("graphs/b1-s64.onnx", 1, 64),
        new ModelSpec.StaticGraph("graphs/b8-s64.onnx", 8, 64));
    assertThat(spec.tokenEmbeddings())
        .isEqualTo(new ModelSpec.TokenEmbeddings("token-embeddings.bin", ModelSpec.Dtype.FLOAT16, 10, 4));
    assertThat(spec.tokenEmbeddings().bytes()).isEqualTo(10 * 4 * 2);
    assertThat(spec.pooledOutput()).isEqualTo(ModelSpec.PooledOutput.EMBEDDING);
    assertThat(spec.effectiveBuckets()).containsExactly(32, 64);
    assertThat(ModelSpec.parse(spec.toJson())).isEqualTo(spec);
    assertThat(ModelSpec.parse(spec(null, null)).pooledOutput()).isNull();
  }

  @Test
  void aSingleGraphSpecHasNoGraphsAndItsJsonIsUnchanged() {
    ModelSpec spec = ModelSpec.parse("{\"name\":\"m\",\"dimension\":8,\"outputs\":[\"a\"]}");
    assertThat(spec.multiGraph()).isFalse();
    assertThat(spec.graphs()).isEmpty();
    assertThat(spec.tokenEmbeddings()).isNull();
    assertThat(spec.toJson()).doesNotContain("graphs", "token_embeddings", "pooled_output");
  }

  @ParameterizedTest(name = "{0}: {2}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
      graphs           | []                                                                  | must be a non-empty array
      graphs           | [{"file":"a.onnx","batch":1}]                                        | graphs[0].sequence is required
      graphs           | [{"file":"a.onnx","batch":0,"sequence":32}]                          | graphs[0].batch must be a positive integer
      graphs           | [{"file":"../a.onnx","batch":1,"sequence":32}]                       | graphs[0].file must be a path inside the model directory
      graphs           | [{"file":"a.onnx","batch":1,"sequence":32,"dynamic":true}]           | graphs[0] has unknown key "dynamic"
      graphs           | [{"file":"a.onnx","batch":1,"sequence":64},{"file":"b.onnx","batch":1,"sequence":64}] | graphs[1] repeats batch 1 x sequence 64
      graphs           | [{"file":"a.onnx","batch":1,"sequence":64},{"file":"a.onnx","batch":8,"sequence":64}] | graphs[1] lists file 'a.onnx' twice
      graphs           | "b1-s32.onnx"                                                        | must be a non-empty array
      buckets          | [32,64,128]                                                          | is [32, 64, 128] but must be the graphs' distinct sequence lengths [32, 64]
      buckets          | null                                                                 | but must be the graphs' distinct sequence lengths [32, 64]
      max_length       | 128                                                                  | is 128 but must be the longest graph sequence 64
      padding          | "longest"                                                            | must be "buckets" with "graphs"
      padding_side     | "left"                                                               | must be "right" with "graphs"
      token_embeddings | null                                                                 | is required with "graphs"
      token_embeddings | {"file":"t.bin","dtype":"bfloat16","rows":10,"dim":4}                | token_embeddings.dtype must be one of [float32, float16]
      token_embeddings | {"file":"t.bin","rows":10,"dim":4}                                   | token_embeddings.dtype is required
      token_embeddings | {"file":"t.bin","dtype":"float32","rows":0,"dim":4}                  | token_embeddings.rows must be a positive integer
      token_embeddings | {"file":"t.bin","dtype":"float32","rows":10}                         | token_embeddings.dim is required
      token_embeddings | {"dtype":"float32","rows":10,"dim":4}                                | token_embeddings.file is required
      token_embeddings | {"file":"t.bin","dtype":"float32","rows":10,"dim":4,"header":1}      | token_embeddings has unknown key "header"
      pooled_output    | "cls"                                                                | must be one of [embedding]
      """)
  void aWrongMultiGraphValueNamesItsField(String field, String value, String message) {
    assertThatThrownBy(() -> ModelSpec.parse(spec(field, value)))
        .isInstanceOf(ModelSpecException.class)
        .hasMessageContaining(message)
        .satisfies(e -> assertThat(((ModelSpecException) e).field()).isEqualTo(field));
  }

  @ParameterizedTest
  @CsvSource({"token_embeddings", "pooled_output"})
  void multiGraphFieldsWithoutGraphsAreRejected(String field) {
    String value = field.equals("pooled_output") ? "\"embedding\"" : TABLE;
    String json = "{\"name\":\"m\",\"dimension\":4,\"outputs\":[\"a\"],\"" + field + "\":" + value + "}";
    assertThatThrownBy(() -> ModelSpec.parse(json))
        .isInstanceOf(ModelSpecException.class)
        .hasMessageContaining("\"" + field + "\"")
        .hasMessageContaining("is only valid with \"graphs\"");
  }

  @Test
  void readingChecksEveryGraphFileAndTheTableSizeButNotModelFile(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve(ModelSpec.FILE_NAME), spec(null, null));
    Files.writeString(dir.resolve("tokenizer.json"), "{}");
    Files.createDirectories(dir.resolve("graphs"));
    for (String g : new String[] {"b1-s32", "b8-s32", "b1-s64"}) {
      Files.writeString(dir.resolve("graphs/" + g + ".onnx"), "x");
    }
    assertThatThrownBy(() -> ModelSpec.read(dir)).isInstanceOf(ModelSpecException.class)
        .hasMessageContaining("\"graphs\"").hasMessageContaining("'graphs/b8-s64.onnx' not found");
    Files.writeString(dir.resolve("graphs/b8-s64.onnx"), "x");
    assertThatThrownBy(() -> ModelSpec.read(dir)).isInstanceOf(ModelSpecException.class)
        .hasMessageContaining("\"token_embeddings\"").hasMessageContaining("'token-embeddings.bin' not found");
    Files.write(dir.resolve("token-embeddings.bin"), new byte[10 * 4 * 4]); // float32-sized, spec says float16
    assertThatThrownBy(() -> ModelSpec.read(dir)).isInstanceOf(ModelSpecException.class)
        .hasMessageContaining("\"token_embeddings\"")
        .hasMessageContaining("has 160 bytes but rows 10 x dim 4 x 2 bytes (float16) = 80");
    Files.write(dir.resolve("token-embeddings.bin"), new byte[10 * 4 * 2]);
    assertThat(ModelSpec.read(dir).graphs()).hasSize(4); // no model.onnx needed
  }
}
