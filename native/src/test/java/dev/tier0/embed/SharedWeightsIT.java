package dev.tier0.embed;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtEnvironment;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tier0.embed.bench.ModelMemory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The static graphs of a multi-graph directory share one copy of their weights ({@link SharedWeights}): every
 * external initializer of the six MiniLM graphs is mapped once, and loading the directory costs the process far
 * less than six private copies. Memory is measured in JVMs of their own ({@link ModelMemory}), one per load, so
 * nothing else in this JVM blurs it; the bounds are ratios with wide margins, not timings.
 */
class SharedWeightsIT {
  @Test
  void everyExternalWeightOfTheSixGraphsIsMappedOnce() throws IOException {
    Path dir = TestModels.generated("minilm-coreml-fp32");
    ModelSpec spec = ModelSpec.read(dir);
    List<Path> files = spec.graphs().stream().map(g -> dir.resolve(g.file())).toList();
    long weightsBin = Files.size(dir.resolve("graphs/weights.bin"));
    try (SharedWeights shared = SharedWeights.map(OrtEnvironment.getEnvironment(), files)) {
      int references = 0;
      for (Path file : files) {
        assertThat(shared.forGraph(file)).as(file.toString()).isNotEmpty();
        references += shared.forGraph(file).size();
      }
      // the same weights in every graph: six references per tensor (shape-dependent constants excepted)
      assertThat(references).isGreaterThan(5 * shared.tensorCount());
      // everything weights.bin holds is mapped, and only once (the file has at most 64-byte alignment gaps)
      assertThat(shared.bytes()).isLessThanOrEqualTo(weightsBin).isGreaterThan(weightsBin * 99 / 100);
    }
  }

  @Test
  void sixGraphsCostLittleMoreThanTheSingleGraphExport() throws Exception {
    JsonNode single = measure("minilm-last4-fp32", "shared");
    JsonNode shared = measure("minilm-coreml-fp32", "shared");
    JsonNode unshared = measure("minilm-coreml-fp32", "unshared");
    double weightsMib = Files.size(TestModels.generatedFile("minilm-coreml-fp32", "graphs/weights.bin")) / 1048576.0;
    System.out.printf("RSS growth MiB: single-graph %s, 6 graphs shared %s, 6 graphs unshared %s (weights.bin %.1f)%n",
        single, shared, unshared, weightsMib);
    double singleMib = single.get("rss_growth_mib").asDouble();
    double sharedMib = shared.get("rss_growth_mib").asDouble();
    double unsharedMib = unshared.get("rss_growth_mib").asDouble();
    // measured 441 vs 366 (1.2x); one private copy per session was 643 (1.76x)
    assertThat(sharedMib).as("6 shared graphs vs the single graph").isLessThan(1.5 * singleMib);
    // measured 202 MiB apart, about 5 copies of weights.bin: at least 3 must be gone
    assertThat(unsharedMib - sharedMib).as("private copies saved").isGreaterThan(3 * weightsMib);
  }

  private static JsonNode measure(String dir, String mode) throws Exception {
    return ModelMemory.fork(TestModels.generated(dir), mode.equals("shared"));
  }
}
