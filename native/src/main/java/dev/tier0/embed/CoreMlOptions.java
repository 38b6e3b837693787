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
}
