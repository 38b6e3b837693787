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
  void aMissingSpecFileIsExplained(@org.junit.jupiter.api.io.TempDir Path dir) {
    assertThatThrownBy(() -> SharedModels.acquire(dir, CPU))
        .isInstanceOf(EmbeddingException.class)
        .hasMessageContaining("has no tier0-model.json");
  }
}
