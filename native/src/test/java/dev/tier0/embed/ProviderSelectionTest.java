package dev.tier0.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtProvider;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProviderSelectionTest {
  private static final EnumSet<OrtProvider> CPU_ONLY = EnumSet.of(OrtProvider.CPU);
  private static final EnumSet<OrtProvider> MAC = EnumSet.of(OrtProvider.CPU, OrtProvider.CORE_ML);
  private static final EnumSet<OrtProvider> GPU = EnumSet.of(OrtProvider.CPU, OrtProvider.CUDA);

  @Test
  void autoPicksCoreMlOnAppleSilicon() {
    var d = ProviderSelection.decide(ExecutionProvider.AUTO, false, "Mac OS X", "aarch64", MAC);
    assertThat(d.provider()).isEqualTo(ExecutionProvider.COREML);
    assertThat(d.warning()).isNull();
  }

  @Test
  void autoPicksCpuOnIntelMacsAndCudaWhereAvailable() {
    assertThat(ProviderSelection.decide(ExecutionProvider.AUTO, false, "Mac OS X", "x86_64", MAC).provider())
        .isEqualTo(ExecutionProvider.CPU);
    assertThat(ProviderSelection.decide(ExecutionProvider.AUTO, false, "Linux", "amd64", GPU).provider())
        .isEqualTo(ExecutionProvider.CUDA);
    var cpu = ProviderSelection.decide(ExecutionProvider.AUTO, true, "Linux", "amd64", CPU_ONLY);
    assertThat(cpu.provider()).isEqualTo(ExecutionProvider.CPU);
    assertThat(cpu.warning()).isNull(); // auto never warns nor fails, even strict
  }

  @Test
  void aMissingProviderFallsBackToCpuWithAWarning() {
    var d = ProviderSelection.decide(ExecutionProvider.CUDA, false, "Linux", "amd64", CPU_ONLY);
    assertThat(d.provider()).isEqualTo(ExecutionProvider.CPU);
    assertThat(d.warning()).contains("CUDA").contains("using CPU");
    var coreml = ProviderSelection.decide(ExecutionProvider.COREML, false, "Linux", "amd64", CPU_ONLY);
    assertThat(coreml.provider()).isEqualTo(ExecutionProvider.CPU);
    assertThat(coreml.warning()).contains("macOS on Apple Silicon");
  }

  @Test
  void aMissingProviderIsAnErrorWhenStrict() {
    assertThatThrownBy(() -> ProviderSelection.decide(ExecutionProvider.COREML, true, "Linux", "amd64", CPU_ONLY))
        .isInstanceOf(EmbeddingException.class).hasMessageContaining("COREML unavailable (strict)");
    assertThatThrownBy(() -> ProviderSelection.failedToAttach(ExecutionProvider.CUDA, true, new RuntimeException("no device")))
        .hasMessageContaining("no device");
    assertThat(ProviderSelection.failedToAttach(ExecutionProvider.CUDA, false, new RuntimeException("no device")).provider())
        .isEqualTo(ExecutionProvider.CPU);
  }

  @Test
  void explicitCpuIsAlwaysCpu() {
    assertThat(ProviderSelection.decide(ExecutionProvider.CPU, true, "Mac OS X", "aarch64", MAC).provider())
        .isEqualTo(ExecutionProvider.CPU);
  }

  @Test
  void coreMlOptionsUseOrtKeysAndValues() {
    Map<String, String> options = CoreMlOptions.providerOptions(CoreMlComputeUnits.CPU_AND_NEURAL_ENGINE, Path.of("/tmp/cache"));
    assertThat(options).containsExactlyInAnyOrderEntriesOf(Map.of(
        "ModelFormat", "MLProgram",
        "MLComputeUnits", "CPUAndNeuralEngine",
        "RequireStaticInputShapes", "1",
        "ModelCacheDirectory", "/tmp/cache"));
    assertThat(CoreMlComputeUnits.parse("CPUAndGPU")).isEqualTo(CoreMlComputeUnits.CPU_AND_GPU);
    assertThat(CoreMlComputeUnits.parse("cpu_only")).isEqualTo(CoreMlComputeUnits.CPU_ONLY);
    assertThat(CoreMlComputeUnits.ALL.ortValue()).isEqualTo("ALL");
    assertThatThrownBy(() -> CoreMlComputeUnits.parse("GPU")).hasMessageContaining("CPUAndNeuralEngine");
  }

  @Test
  void coreMlCacheDefaultsUnderTheModelDirectory(@org.junit.jupiter.api.io.TempDir Path dir) {
    assertThat(CoreMlOptions.cacheDir(EngineOptions.defaults(), dir)).isEqualTo(dir.resolve(".coreml-cache"));
    Path explicit = dir.resolve("elsewhere");
    assertThat(CoreMlOptions.cacheDir(EngineOptions.builder().coreMlCacheDir(explicit).build(), dir)).isEqualTo(explicit);
  }

  @Test
  void eachStaticGraphHasItsOwnCoreMlCacheAndProviderOptions(@org.junit.jupiter.api.io.TempDir Path dir) {
    ModelSpec.StaticGraph b1 = new ModelSpec.StaticGraph("graphs/b1-s32.onnx", 1, 32);
    ModelSpec.StaticGraph b8 = new ModelSpec.StaticGraph("graphs/b8-s32.onnx", 8, 32);
    Path cache1 = CoreMlOptions.cacheDir(EngineOptions.defaults(), dir, b1);
    Path cache8 = CoreMlOptions.cacheDir(EngineOptions.defaults(), dir, b8);
    assertThat(cache1).isEqualTo(dir.resolve(".coreml-cache/graphs_b1-s32"));
    assertThat(cache8).isEqualTo(dir.resolve(".coreml-cache/graphs_b8-s32"));
    Path explicit = dir.resolve("elsewhere");
    assertThat(CoreMlOptions.cacheDir(EngineOptions.builder().coreMlCacheDir(explicit).build(), dir, b8))
        .isEqualTo(explicit.resolve("graphs_b8-s32"));
    Map<String, String> options = CoreMlOptions.providerOptions(CoreMlComputeUnits.CPU_AND_NEURAL_ENGINE, cache8);
    assertThat(options).containsEntry("ModelCacheDirectory", cache8.toAbsolutePath().toString())
        .containsEntry("RequireStaticInputShapes", "1").containsEntry("ModelFormat", "MLProgram")
        .containsEntry("MLComputeUnits", "CPUAndNeuralEngine");
  }

  @Test
  void coreMlNeedsStaticShapesSoLongestPaddingBecomesBuckets() {
    ModelSpec spec = BundledModel.spec();
    assertThat(DynamicGraph.effectivePadding(spec, ExecutionProvider.COREML)).isEqualTo(ModelSpec.Padding.BUCKETS);
    assertThat(DynamicGraph.effectivePadding(spec, ExecutionProvider.CPU)).isEqualTo(ModelSpec.Padding.LONGEST);
  }

  @Test
  void providerNamesParse() {
    assertThat(ExecutionProvider.parse(" CoreML ")).isEqualTo(ExecutionProvider.COREML);
    assertThatThrownBy(() -> ExecutionProvider.parse("tpu")).hasMessageContaining("auto, cpu, cuda, coreml");
  }
}
