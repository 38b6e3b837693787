package dev.tier0.embed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds model directories that reuse a real graph and tokenizer (by symlink) with a different spec. */
final class ModelDirs {
  private ModelDirs() {}

  /** A fresh directory under target/ (not a JUnit temp dir: those warn about deleting symlinks). */
  static Path fresh(String name) throws IOException {
    Path parent = TestModels.nativeModuleDir().resolve("target/spec-variants");
    Files.createDirectories(parent);
    return Files.createTempDirectory(parent, name + "-");
  }

  static Path withSpec(Path source, Path target, String specJson) throws IOException {
    Files.createDirectories(target);
    for (String file : new String[] {"model.onnx", "tokenizer.json"}) {
      Path link = target.resolve(file);
      if (!Files.exists(link)) {
        Files.createSymbolicLink(link, source.resolve(file).toAbsolutePath());
      }
    }
    Files.writeString(target.resolve(ModelSpec.FILE_NAME), specJson);
    return target;
  }

  static String minilmSpec(String overrides) {
    return "{\"name\":\"minilm-test\",\"dimension\":384,\"outputs\":[\"last_hidden_state\"],\"last_n\":1,"
        + "\"max_length\":256,\"padding\":\"longest\"" + (overrides.isEmpty() ? "" : "," + overrides) + "}";
  }
}
