package dev.tier0.connect.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@link EmbedTexts} in a child JVM on this JVM's class path. */
public final class SeparateJvmEmbedder {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The result of one run: vectors (when asked for) and the embedding time after warm-up. */
  public record Result(List<float[]> vectors, double elapsedMs, String model) {}

  private SeparateJvmEmbedder() {}

  public static Result embed(List<String> texts, int batchSize, boolean withVectors, Path workDir)
      throws IOException, InterruptedException {
    return embed(texts, batchSize, withVectors, workDir, "latency");
  }

  /** As above, the engine in {@code mode} (latency | throughput). */
  public static Result embed(List<String> texts, int batchSize, boolean withVectors, Path workDir, String mode)
      throws IOException, InterruptedException {
    return embed(texts, batchSize, withVectors, workDir, mode, 0);
  }

  /** As above, with {@code threads} intra-op threads per run (0: the engine's choice, as model.threads). */
  public static Result embed(List<String> texts, int batchSize, boolean withVectors, Path workDir, String mode,
      int threads) throws IOException, InterruptedException {
    Path in = Files.createTempFile(workDir, "texts-", ".json");
    Path out = Files.createTempFile(workDir, "vectors-", ".json");
    Path log = Files.createTempFile(workDir, "embed-", ".log");
    JSON.writeValue(in.toFile(), texts);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-Dtier0.embed.mode=" + mode, "-Dtier0.embed.threads=" + threads, EmbedTexts.class.getName(), in.toString(), out.toString(),
        Integer.toString(batchSize)));
    if (withVectors) {
      command.add("vectors");
    }
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    // The class path goes through the environment: on the command line it would trip ONNX Runtime's
    // stack overflow on long command lines (see native's OrtEnvironments).
    builder.environment().put("CLASSPATH", System.getProperty("java.class.path"));
    Process process = builder.start();
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException("embedding JVM did not finish; log: " + Files.readString(log));
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException("embedding JVM failed (" + process.exitValue() + "): " + Files.readString(log));
    }
    JsonNode result = JSON.readTree(out.toFile());
    List<float[]> vectors = new ArrayList<>();
    for (JsonNode row : result.path("vectors")) {
      float[] v = new float[row.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) row.get(i).asDouble();
      }
      vectors.add(v);
    }
    return new Result(vectors, result.path("elapsed_ms").asDouble(), result.path("model").asText());
  }
}
