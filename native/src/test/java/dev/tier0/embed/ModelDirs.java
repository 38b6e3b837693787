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

  /** A multi-graph directory reusing the source's graphs, token table and tokenizer (by symlink) with another spec. */
  static Path multiGraphWithSpec(Path source, String name, String specJson) throws IOException {
    Path target = fresh(name);
    ModelSpec spec = ModelSpec.read(source);
    java.util.Set<String> links = new java.util.LinkedHashSet<>();
    for (ModelSpec.StaticGraph g : spec.graphs()) {
      links.add(Path.of(g.file()).getName(0).toString()); // graphs/ with its shared external data
    }
    links.add(spec.tokenEmbeddings().file());
    links.add(spec.tokenizerFile());
    for (String file : links) {
      Files.createSymbolicLink(target.resolve(file), source.resolve(file).toAbsolutePath());
    }
    Files.writeString(target.resolve(ModelSpec.FILE_NAME), specJson);
    return target;
  }

  static String minilmSpec(String overrides) {
    return "{\"name\":\"minilm-test\",\"dimension\":384,\"outputs\":[\"last_hidden_state\"],\"last_n\":1,"
        + "\"max_length\":256,\"padding\":\"longest\"" + (overrides.isEmpty() ? "" : "," + overrides) + "}";
  }
}
