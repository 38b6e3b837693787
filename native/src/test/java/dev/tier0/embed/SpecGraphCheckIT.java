package dev.tier0.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A spec that contradicts the real graph fails at load, naming the field. */
class SpecGraphCheckIT {
  private static final EngineOptions CPU = EngineOptions.builder().provider(ExecutionProvider.CPU).build();

  @Test
  void anOutputMissingFromTheGraphIsNamedWithTheGraphsOutputs() throws Exception {
    Path dir = ModelDirs.fresh("anOutputMissingFromTheGraphIsNamedWithTheGraphsOutputs");
    Path model = ModelDirs.withSpec(TestModels.minilm(), dir,
        "{\"name\":\"m\",\"dimension\":384,\"outputs\":[\"hidden_state.9\"],\"last_n\":1}");
    int loads = SharedModels.loadCount();
    assertThatThrownBy(() -> SharedModels.acquire(model, CPU))
        .isInstanceOf(ModelSpecException.class)
        .hasMessageContaining("\"outputs\"")
        .hasMessageContaining("output \"hidden_state.9\" not in the graph's outputs [last_hidden_state]");
    assertThat(SharedModels.loadCount()).isEqualTo(loads);
  }

  @Test
  void aWrongDimensionIsNamed() throws Exception {
    Path dir = ModelDirs.fresh("aWrongDimensionIsNamed");
    Path model = ModelDirs.withSpec(TestModels.minilm(), dir, ModelDirs.minilmSpec("").replace("384", "768"));
    assertThatThrownBy(() -> SharedModels.acquire(model, CPU))
        .isInstanceOf(ModelSpecException.class)
        .hasMessageContaining("\"dimension\"")
        .hasMessageContaining("dimension 768 but output \"last_hidden_state\" last dim is 384");
  }

  @Test
  void aWrongDtypeIsNamed() throws Exception {
    Path dir = ModelDirs.fresh("aWrongDtypeIsNamed");
    Path model = ModelDirs.withSpec(TestModels.minilm(), dir, ModelDirs.minilmSpec("\"dtype\":\"float16\""));
    assertThatThrownBy(() -> SharedModels.acquire(model, CPU))
        .isInstanceOf(ModelSpecException.class)
        .hasMessageContaining("\"dtype\"")
        .hasMessageContaining("FLOAT");
  }

  @Test
  void aStaticGraphThatContradictsItsSpecEntryIsNamedAtLoad() throws Exception {
    Path source = TestModels.generated("minilm-coreml-fp32");
    // the spec claims graphs/b8-s64.onnx takes batch 4
    String spec = java.nio.file.Files.readString(source.resolve(ModelSpec.FILE_NAME))
        .replaceFirst("(\"file\": \"graphs/b8-s64.onnx\",\\s*\"batch\": )8", "$14");
    assertThat(spec).contains("\"batch\": 4");
    Path dir = ModelDirs.multiGraphWithSpec(source, "aStaticGraphThatContradictsItsSpecEntryIsNamedAtLoad", spec);
    int loads = SharedModels.loadCount();
    assertThatThrownBy(() -> SharedModels.acquire(dir, CPU))
        .isInstanceOf(ModelSpecException.class)
        .hasMessageContaining("\"graphs\"")
        .hasMessageContaining("graph 'graphs/b8-s64.onnx': \"inputs_embeds\" has shape [8, 64, 384] but the spec says "
            + "[4, 64, 384]");
    assertThat(SharedModels.loadCount()).isEqualTo(loads);
  }

  @Test
  void aMissingSpecFileIsExplained(@org.junit.jupiter.api.io.TempDir Path dir) {
    assertThatThrownBy(() -> SharedModels.acquire(dir, CPU))
        .isInstanceOf(EmbeddingException.class)
        .hasMessageContaining("has no tier0-model.json");
  }
}
