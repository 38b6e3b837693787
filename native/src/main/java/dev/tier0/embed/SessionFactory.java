package dev.tier0.embed;

import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates the ORT session for a model file with the chosen execution provider (falling back per policy). */
final class SessionFactory {
  private static final Logger LOG = LoggerFactory.getLogger(SessionFactory.class);

  /** The session and the provider it actually runs on. */
  record Created(OrtSession session, ExecutionProvider provider) {}

  private SessionFactory() {}

  /** The session of a single-graph model; CoreML caches under {@link CoreMlOptions#cacheDir(EngineOptions, Path)}. */
  static Created create(OrtEnvironment env, Path modelDir, Path modelFile, EngineOptions options) {
    return create(env, modelFile, options, CoreMlOptions.cacheDir(options, modelDir));
  }

  /** The session of one graph with its own CoreML cache directory (each static graph of a directory has one). */
  static Created create(OrtEnvironment env, Path modelFile, EngineOptions options, Path coreMlCache) {
    return create(env, modelFile, options, coreMlCache, Shared.NONE);
  }

  /**
   * Initializers the session takes from the caller (by name, replacing the graph's own, used in place: the tensors
   * must outlive the session), and whether ORT may pre-pack weights.
   */
  record Shared(Map<String, OnnxTensorLike> initializers, boolean prepacking) {
    static final Shared NONE = new Shared(Map.of(), true);
  }

  /** As {@link #create(OrtEnvironment, Path, EngineOptions, Path)}, the session using {@code shared}. */
  static Created create(OrtEnvironment env, Path modelFile, EngineOptions options, Path coreMlCache,
                        Shared shared) {
    ProviderSelection.Decision decision = ProviderSelection.decide(options.provider(), options.strict(),
        System.getProperty("os.name"), System.getProperty("os.arch"), OrtEnvironment.getAvailableProviders());
    if (decision.warning() != null) {
      LOG.warn(decision.warning());
    }
    try {
      return new Created(open(env, coreMlCache, modelFile, options, decision.provider(), shared), decision.provider());
    } catch (OrtException e) {
      if (decision.provider() == ExecutionProvider.CPU) {
        throw new EmbeddingException("cannot load model " + modelFile, e);
      }
      ProviderSelection.Decision fallback = ProviderSelection.failedToAttach(decision.provider(), options.strict(), e);
      LOG.warn(fallback.warning());
      try {
        return new Created(open(env, coreMlCache, modelFile, options, ExecutionProvider.CPU, shared), ExecutionProvider.CPU);
      } catch (OrtException cpuFailure) {
        cpuFailure.addSuppressed(e);
        throw new EmbeddingException("cannot load model " + modelFile, cpuFailure);
      }
    }
  }

  private static OrtSession open(OrtEnvironment env, Path cache, Path modelFile, EngineOptions options,
                                 ExecutionProvider provider, Shared shared) throws OrtException {
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      // No busy-waiting between ops: tier0 shares its cores with Kafka's threads and with other sessions (each
      // task or model has its own pool), and spinning pools stole enough CPU to make throughput swing 2.5x
      // between benchmark repeats; without spinning it is steady and equals bare ORT (bench/run engine).
      so.addConfigEntry("session.intra_op.allow_spinning", "0");
      // graph-building warnings (e.g. lenient shape merges in exported graphs) are noise at load; errors remain
      so.setSessionLogLevel(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
      // addInitializer, not addExternalInitializers: measured on ORT 1.29 (6 MiniLM graphs, CPU, pre-packing off),
      // only the former used the caller's buffer in place (process +441 MiB); the latter still copied per session
      // (+686 MiB, as much as 6 private copies: +643 MiB with pre-packing)
      for (Map.Entry<String, OnnxTensorLike> e : shared.initializers().entrySet()) {
        so.addInitializer(e.getKey(), e.getValue());
      }
      if (!shared.prepacking()) {
        // pre-packing re-lays MatMul weights into a buffer each session owns: with shared weights it would be a
        // per-session copy again (+245 MiB on 6 MiniLM graphs); ORT's cross-session pre-pack container is not in
        // its Java API
        so.addConfigEntry("session.disable_prepacking", "1");
      }
      int intraOp = options.effectiveIntraOpThreads(Runtime.getRuntime().availableProcessors());
      if (intraOp > 0) {
        so.setIntraOpNumThreads(intraOp);
      }
      switch (provider) {
        case CUDA -> so.addCUDA(0);
        case COREML -> {
          createDirectories(cache);
          so.addCoreML(CoreMlOptions.providerOptions(options.coreMlComputeUnits(), cache));
        }
        default -> { }
      }
      // by path, never as bytes: ORT then resolves external data files next to the graph
      return env.createSession(modelFile.toString(), so);
    }
  }

  private static void createDirectories(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new EmbeddingException("cannot create CoreML cache directory " + dir, e);
    }
  }
}
