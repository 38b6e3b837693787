package dev.tier0.embed;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The real CoreML provider; runs on Apple Silicon only (the one hardware-dependent skip, see native/README.md).
 * Strict, so a silent fallback to CPU would fail the test instead of passing it.
 */
@EnabledOnOs(OS.MAC)
@EnabledIfSystemProperty(named = "os.arch", matches = "aarch64")
class CoreMlIT {

  @Test
  void coreMlEmbedsLikeCpuAndKeepsItsCompiledModelCache() throws Exception {
    Path cache = ModelDirs.fresh("coreml-cache");
    EngineOptions coreml = EngineOptions.builder().provider(ExecutionProvider.COREML).strict(true)
        .coreMlComputeUnits(CoreMlComputeUnits.ALL).coreMlCacheDir(cache).build();
    List<String> texts = Sentences.generate(20, 3, 40, 9);
    try (EmbeddingEngine cpu = SharedModels.acquire(TestModels.minilm(),
             EngineOptions.builder().provider(ExecutionProvider.CPU).build());
         EmbeddingEngine apple = SharedModels.acquire(TestModels.minilm(), coreml)) {
      List<Embedding> expected = cpu.embedDocuments(texts);
      List<Embedding> actual = apple.embedDocuments(texts);
      for (int i = 0; i < texts.size(); i++) {
        // CoreML may compute in FP16 on the GPU / Neural Engine
        assertThat(TestModels.cosine(actual.get(i).vector(), expected.get(i).vector())).isGreaterThanOrEqualTo(0.999);
      }
    }
    try (var files = Files.list(cache)) {
      assertThat(files.count()).as("CoreML compiled-model cache in %s", cache).isPositive();
    }
  }
}
