package dev.tier0.embed.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Python contender of {@code bench/run engine}: {@code bench/python/peers.py} run as a subprocess from a bench
 * virtualenv that {@code bench/python/venv.sh} creates with pinned versions. One call = one process: it loads the
 * graph, warms up untimed, embeds the sentences once with its own clock, and writes the vectors; the Java side reads
 * the sentences/s it reports (process start and model load are not counted, as for the Java rows) and the vectors.
 */
final class PythonPeer {
  /** What one timed pass reported. */
  record Pass(double sps, List<float[]> vectors, JsonNode info) {}

  private final String name;
  private final Path repoRoot;
  private final String venv;
  private final String pipeline;
  private final Path modelDir;
  private final Path sentencesFile;
  private final int sentences;
  private final int batch;
  private final int threads;
  private Path python;

  /**
   * @param venv       bench/python/requirements-{venv}.txt names the pinned packages
   * @param pipeline   "ort" (ORT + tokenizers, length-sorted batches) or "fastembed"
   * @param sentencesFile one sentence per line, exactly the Java rows' corpus
   */
  PythonPeer(String name, Path repoRoot, String venv, String pipeline, Path modelDir, Path sentencesFile,
             int sentences, int batch, int threads) {
    this.name = name;
    this.repoRoot = repoRoot;
    this.venv = venv;
    this.pipeline = pipeline;
    this.modelDir = modelDir;
    this.sentencesFile = sentencesFile;
    this.sentences = sentences;
    this.batch = batch;
    this.threads = threads;
  }

  String name() {
    return name;
  }

  /** Writes the corpus for the subprocesses: one sentence per line, UTF-8 (the generated sentences have no newline). */
  static Path writeSentences(List<String> sentences, Path dir) throws IOException {
    for (String s : sentences) {
      if (s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
        throw new IllegalArgumentException("a sentence holds a line break: " + s);
      }
    }
    Files.createDirectories(dir);
    Path file = dir.resolve("engine-sentences.txt");
    Files.writeString(file, String.join("\n", sentences) + "\n", StandardCharsets.UTF_8);
    return file;
  }

  /** Creates (first time) the virtualenv; fails with the script's message when it cannot. */
  void prepare() throws IOException, InterruptedException {
    Process p = new ProcessBuilder(repoRoot.resolve("bench/python/venv.sh").toString(), venv)
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (p.waitFor() != 0 || out.isEmpty()) {
      throw new IOException("bench/python/venv.sh " + venv + " failed (exit " + p.exitValue() + ")");
    }
    python = Path.of(out);
  }

  /** One subprocess: warm-up, then one timed pass over all sentences. */
  Pass run() throws IOException, InterruptedException {
    Path vectors = Files.createTempFile("tier0-peer-", ".f32");
    try {
      List<String> cmd = List.of(python.toString(), repoRoot.resolve("bench/python/peers.py").toString(), pipeline,
          "--model", modelDir.toString(), "--sentences", sentencesFile.toString(), "--vectors", vectors.toString(),
          "--batch", Integer.toString(batch), "--threads", Integer.toString(threads));
      Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IOException(name + " failed: " + String.join(" ", cmd) + "\n" + out);
      }
      String last = out.substring(out.lastIndexOf('\n') + 1);
      JsonNode info = new ObjectMapper().readTree(last);
      return new Pass(info.get("sps").asDouble(), readVectors(vectors, info.get("dimension").asInt()), info);
    } finally {
      Files.deleteIfExists(vectors);
    }
  }

  private List<float[]> readVectors(Path file, int dimension) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    if (bytes.remaining() != (long) sentences * dimension * 4) {
      throw new IOException(name + " wrote " + bytes.remaining() + " bytes, expected " + sentences + " x "
          + dimension + " floats");
    }
    List<float[]> out = new ArrayList<>(sentences);
    for (int i = 0; i < sentences; i++) {
      float[] v = new float[dimension];
      for (int k = 0; k < dimension; k++) {
        v[k] = bytes.getFloat();
      }
      out.add(v);
    }
    return out;
  }
}
