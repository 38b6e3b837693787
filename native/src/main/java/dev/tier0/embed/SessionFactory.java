package dev.tier0.embed;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
    ProviderSelection.Decision decision = ProviderSelection.decide(options.provider(), options.strict(),
        System.getProperty("os.name"), System.getProperty("os.arch"), OrtEnvironment.getAvailableProviders());
    if (decision.warning() != null) {
      LOG.warn(decision.warning());
    }
    try {
      return new Created(open(env, coreMlCache, modelFile, options, decision.provider()), decision.provider());
    } catch (OrtException e) {
      if (decision.provider() == ExecutionProvider.CPU) {
        throw new EmbeddingException("cannot load model " + modelFile, e);
      }
      ProviderSelection.Decision fallback = ProviderSelection.failedToAttach(decision.provider(), options.strict(), e);
      LOG.warn(fallback.warning());
      try {
        return new Created(open(env, coreMlCache, modelFile, options, ExecutionProvider.CPU), ExecutionProvider.CPU);
      } catch (OrtException cpuFailure) {
        cpuFailure.addSuppressed(e);
        throw new EmbeddingException("cannot load model " + modelFile, cpuFailure);
      }
    }
  }

  private static OrtSession open(OrtEnvironment env, Path cache, Path modelFile, EngineOptions options,
                                 ExecutionProvider provider) throws OrtException {
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      // No busy-waiting between ops: tier0 shares its cores with Kafka's threads and with other sessions (each
      // task or model has its own pool), and spinning pools stole enough CPU to make throughput swing 2.5x
      // between benchmark repeats; without spinning it is steady and equals bare ORT (bench/run engine).
      so.addConfigEntry("session.intra_op.allow_spinning", "0");
      // graph-building warnings (e.g. lenient shape merges in exported graphs) are noise at load; errors remain
      so.setSessionLogLevel(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
      if (options.intraOpThreads() > 0) {
        so.setIntraOpNumThreads(options.intraOpThreads());
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
