package dev.tier0.memory.config;

import dev.tier0.embed.BundledModel;
import dev.tier0.embed.ExecutionProvider;
import dev.tier0.embed.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.AbstractConfig;

/**
 * The checks both runtimes run on a parsed configuration, beyond each key's own validator: across keys
 * ({@link SharedConfig#crossFieldProblems}) and against the model's spec, read from {@code model.dir} (a small
 * JSON file) or, for the bundled model, known without I/O. The connector runs them in {@code validate()} and
 * {@code start()}, the streams app when it reads its config, so one configuration is refused by both with the
 * same message. Checks that need Milvus stay with the caller.
 */
public final class SharedChecks {
  private SharedChecks() {}

  /**
   * What the checks found.
   *
   * @param spec     the configured model's spec; empty when {@code model.dir} is unusable (then a problem says why)
   * @param problems message by the key a user should change, in the order found; empty when the config is valid
   */
  public record Result(Optional<ModelSpec> spec, Map<String, String> problems) {
    public Result {
      problems = Collections.unmodifiableMap(new LinkedHashMap<>(problems));
    }
  }

  /** Runs every shared check on {@code config} (a config built on {@link SharedConfig#define}); never throws. */
  public static Result check(AbstractConfig config) {
    Map<String, String> problems = new LinkedHashMap<>(SharedConfig.crossFieldProblems(config));
    Optional<ModelSpec> spec = modelSpec(config, problems);
    spec.ifPresent(s -> checkShapes(config, s, problems));
    return new Result(spec, problems);
  }

  private static Optional<ModelSpec> modelSpec(AbstractConfig config, Map<String, String> problems) {
    Optional<Path> dir = SharedConfig.configuredModelDir(config);
    if (dir.isEmpty()) {
      return Optional.of(BundledModel.spec());
    }
    if (!Files.isDirectory(dir.get())) {
      problems.put(SharedConfig.MODEL_DIR, "'" + dir.get() + "' is not a directory on this machine");
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
  private static void checkShapes(AbstractConfig config, ModelSpec spec, Map<String, String> problems) {
    ExecutionProvider provider = ExecutionProvider.parse(config.getString(SharedConfig.MODEL_EXECUTION_PROVIDER));
    if (provider == ExecutionProvider.COREML && spec.padding() == ModelSpec.Padding.LONGEST) {
      problems.put(SharedConfig.MODEL_EXECUTION_PROVIDER, "coreml needs static input shapes, but model '"
          + spec.name() + "' pads to the longest text of each batch; use a model whose spec sets padding to "
          + "fixed or buckets, or the cpu provider");
    }
  }
}
