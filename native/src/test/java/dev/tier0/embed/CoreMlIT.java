package dev.tier0.embed;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real CoreML provider; runs on Apple Silicon only (the one hardware-dependent skip, see native/README.md).
 * Strict, so a silent fallback to CPU would fail the test instead of passing it. Covers the bundled single-graph
 * MiniLM and the CoreML-target (static-shape, multi-graph) directories the build exports.
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

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"minilm-coreml-fp32", "minilm-coreml-pooled-fp32", "tiny-qwen3-coreml-fp32",
      "tiny-qwen3-coreml-fp16"})
  void coreMlRunsEveryStaticGraphOfACoreMlTargetDirectoryWithOneCacheEach(String dir) throws Exception {
    Path model = TestModels.generated(dir);
    ModelSpec spec = ModelSpec.read(model);
    Path cache = ModelDirs.fresh("coreml-cache-" + dir);
    EngineOptions coreml = EngineOptions.builder().provider(ExecutionProvider.COREML).strict(true)
        .coreMlComputeUnits(CoreMlComputeUnits.ALL).coreMlCacheDir(cache).build();
    // 1, 9 and 17 texts over every bucket: each graph (b1/b8 x 32/64/128) serves at least one batch
    List<String> texts = Sentences.generate(17, 3, 120, 11);
    try (EmbeddingEngine cpu = SharedModels.acquire(model, EngineOptions.builder().provider(ExecutionProvider.CPU).build());
         EmbeddingEngine apple = SharedModels.acquire(model, coreml)) {
      for (List<String> batch : List.of(texts.subList(0, 1), texts.subList(0, 9), texts)) {
        List<Embedding> expected = cpu.embedDocuments(batch);
        List<Embedding> actual = apple.embedDocuments(batch);
        for (int i = 0; i < batch.size(); i++) {
          // CoreML may compute in FP16 on the GPU / Neural Engine
          assertThat(TestModels.cosine(actual.get(i).vector(), expected.get(i).vector())).isGreaterThanOrEqualTo(0.999);
        }
      }
      System.out.printf("%s on CoreML: graph runs %s%n", dir, apple.graphRuns());
    }
    for (ModelSpec.StaticGraph graph : spec.graphs()) {
      Path graphCache = CoreMlOptions.cacheDir(coreml, model, graph);
      try (var files = Files.list(graphCache)) {
        assertThat(files.count()).as("CoreML compiled-model cache of %s in %s", graph, graphCache).isPositive();
      }
    }
  }
}
