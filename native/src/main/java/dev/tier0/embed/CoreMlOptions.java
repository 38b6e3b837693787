package dev.tier0.embed;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The provider options handed to {@code SessionOptions.addCoreML(Map)}: ORT's documented CoreML keys. */
final class CoreMlOptions {
  static final String CACHE_SUBDIR = ".coreml-cache";

  private CoreMlOptions() {}

  static Map<String, String> providerOptions(CoreMlComputeUnits units, Path cacheDir) {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("ModelFormat", "MLProgram");                 // the modern format; NeuralNetwork is legacy
    options.put("MLComputeUnits", units.ortValue());
    options.put("RequireStaticInputShapes", "1");           // we pad to fixed lengths; dynamic shapes fall off the ANE
    options.put("ModelCacheDirectory", cacheDir.toAbsolutePath().toString()); // compile once, reuse after restarts
    return options;
  }

  /**
   * The configured cache directory, else {@code <model dir>/.coreml-cache} when the model directory is writable,
   * else {@code <tier0 cache>/coreml/<model dir name>}.
   */
  static Path cacheDir(EngineOptions options, Path modelDir) {
    if (options.coreMlCacheDir() != null) {
      return options.coreMlCacheDir();
    }
    if (java.nio.file.Files.isWritable(modelDir)) {
      return modelDir.resolve(CACHE_SUBDIR);
    }
    return CacheRoot.get().resolve("coreml").resolve(modelDir.getFileName().toString());
  }

  /**
   * The cache of one static graph of a multi-graph directory: its own subdirectory of {@link #cacheDir}, named
   * after the graph file ({@code graphs/b8-s32.onnx} -> {@code graphs_b8-s32}), since CoreML compiles each graph
   * separately and a shared directory would mix their compiled models.
   */
  static Path cacheDir(EngineOptions options, Path modelDir, ModelSpec.StaticGraph graph) {
    String name = graph.file().replace('\\', '/');
    if (name.endsWith(".onnx")) {
      name = name.substring(0, name.length() - ".onnx".length());
    }
    return cacheDir(options, modelDir).resolve(name.replace('/', '_'));
  }
}
