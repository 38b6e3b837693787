package dev.tier0.connect;

import dev.tier0.embed.ModelSpec;
import dev.tier0.memory.config.SharedChecks;
import dev.tier0.memory.config.SharedConfig;
import dev.tier0.milvus.MemoryStore;
import dev.tier0.milvus.MilvusConfig;
import dev.tier0.milvus.StoreException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The checks a single key's validator cannot make: the ones both runtimes share ({@link SharedChecks}: across keys,
 * against the model's spec) and, here only, against the collection that already exists. Each problem is reported
 * on the key a user should change.
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
    SharedChecks.Result shared = SharedChecks.check(config);
    Map<String, String> problems = new LinkedHashMap<>(shared.problems());
    MilvusConfig milvus;
    try {
      milvus = SharedConfig.milvusConfig(config);
    } catch (IllegalArgumentException e) {
      problems.putIfAbsent(SharedConfig.MILVUS_URI, e.getMessage());
      return problems;
    }
    if (shared.spec().isPresent() && problems.isEmpty()) {
      checkCollection(milvus, shared.spec().get(), problems);
    }
    return problems;
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
