package dev.tier0.connect;

import dev.tier0.embed.BundledModel;
import dev.tier0.embed.ExecutionProvider;
import dev.tier0.embed.ModelSpec;
import dev.tier0.memory.config.SharedConfig;
import dev.tier0.milvus.MemoryStore;
import dev.tier0.milvus.MilvusConfig;
import dev.tier0.milvus.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The checks a single key's validator cannot make: across keys, against the model's spec and against the
 * collection that already exists. Each problem is reported on the key a user should change.
 */
final class ConfigChecks {

  /** What validation needs to know about Milvus; a function so the checks can be tested without a server. */
  @FunctionalInterface
  interface CollectionProbe {
    /** The existing collection's vector dimension, empty when there is none; StoreException when unreachable. */
    Optional<Integer> existingDimension(MilvusConfig config);
  }

  static final CollectionProbe MILVUS = config -> {
    try (MemoryStore store = MemoryStore.connect(config)) {
      return store.existingDimension();
    }
  };

  private final CollectionProbe probe;

  ConfigChecks(CollectionProbe probe) {
    this.probe = probe;
  }

  Map<String, String> problems(Tier0SinkConnectorConfig config) {
    Map<String, String> problems = new LinkedHashMap<>(SharedConfig.crossFieldProblems(config));
    Optional<ModelSpec> spec = modelSpec(config, problems);
    spec.ifPresent(s -> checkShapes(config, s, problems));
    MilvusConfig milvus;
    try {
      milvus = SharedConfig.milvusConfig(config);
    } catch (IllegalArgumentException e) {
      problems.putIfAbsent(SharedConfig.MILVUS_URI, e.getMessage());
      return problems;
    }
    if (spec.isPresent() && problems.isEmpty()) {
      checkCollection(milvus, spec.get(), problems);
    }
    return problems;
  }

  /** The spec of the configured model (read from its directory), or of the bundled one (known without I/O). */
  private static Optional<ModelSpec> modelSpec(Tier0SinkConnectorConfig config, Map<String, String> problems) {
    Optional<Path> dir = config.modelDir();
    if (dir.isEmpty()) {
      return Optional.of(BundledModel.spec());
    }
    if (!Files.isDirectory(dir.get())) {
      problems.put(SharedConfig.MODEL_DIR, "'" + dir.get() + "' is not a directory on this worker");
      return Optional.empty();
    }
    try {
      return Optional.of(ModelSpec.read(dir.get()));
    } catch (RuntimeException e) {
      problems.put(SharedConfig.MODEL_DIR, "'" + dir.get() + "' is not a usable model directory: " + e.getMessage());
      return Optional.empty();
    }
  }

  /** CoreML compiles one graph per input shape: it needs a spec whose padding gives a few fixed lengths. */
  private static void checkShapes(Tier0SinkConnectorConfig config, ModelSpec spec, Map<String, String> problems) {
    ExecutionProvider provider = ExecutionProvider.parse(config.getString(SharedConfig.MODEL_EXECUTION_PROVIDER));
    if (provider == ExecutionProvider.COREML && spec.padding() == ModelSpec.Padding.LONGEST) {
      problems.put(SharedConfig.MODEL_EXECUTION_PROVIDER, "coreml needs static input shapes, but model '"
          + spec.name() + "' pads to the longest text of each batch; use a model whose spec sets padding to "
          + "fixed or buckets, or the cpu provider");
    }
  }

  private void checkCollection(MilvusConfig milvus, ModelSpec spec, Map<String, String> problems) {
    Optional<Integer> existing;
    try {
      existing = probe.existingDimension(milvus);
    } catch (StoreException e) {
      problems.put(SharedConfig.MILVUS_URI, "cannot check the collection at " + milvus.uri() + ": " + e.getMessage());
      return;
    }
    if (existing.isPresent() && existing.get() != spec.outputDimension()) {
      problems.put(SharedConfig.MILVUS_COLLECTION, "collection '" + milvus.collection() + "' holds "
          + existing.get() + "-dimensional vectors but model '" + spec.name() + "' produces "
          + spec.outputDimension() + "; use another collection, or the model that filled this one");
    }
  }
}
