package dev.tier0.embed.bench;

import ai.onnxruntime.OrtEnvironment;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tier0.embed.EmbeddingEngine;
import dev.tier0.embed.EngineOptions;
import dev.tier0.embed.Sentences;
import dev.tier0.embed.SharedModels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What loading one model directory costs the process: resident memory (Linux /proc/self/status, MiB) after the
 * ORT environment exists, then after the model is loaded and has embedded 100 sentences (every bucket of a
 * multi-graph directory served). Run in a JVM of its own per directory (the engine benchmark forks one), so
 * nothing else loaded in the process blurs the figure. Prints one JSON object:
 * {@code {"dir", "share_weights", "rss_growth_mib", "rss_anon_growth_mib", "rss_file_growth_mib"}} (RSS = anonymous
 * + file-backed pages: the shared weights and the token table are file-backed mappings).
 */
public final class ModelMemory {
  private ModelMemory() {}

  /** args[0]: the model directory; args[1] (optional): {@code unshared} for {@code shareWeights(false)}. */
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    boolean share = !(args.length > 1 && args[1].equals("unshared"));
    OrtEnvironment.getEnvironment();
    Map<String, Long> before = status();
    List<String> texts = Sentences.generate(100, 3, 120, 7);
    try (EmbeddingEngine engine = SharedModels.acquire(dir,
        EngineOptions.builder().provider(dev.tier0.embed.ExecutionProvider.CPU).shareWeights(share).build())) {
      engine.embedDocuments(texts);
      Map<String, Long> after = status();
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("dir", dir.getFileName().toString());
      out.put("share_weights", share);
      out.put("rss_growth_mib", mib(after, before, "VmRSS"));
      out.put("rss_anon_growth_mib", mib(after, before, "RssAnon"));
      out.put("rss_file_growth_mib", mib(after, before, "RssFile"));
      System.out.println(new ObjectMapper().writeValueAsString(out));
    }
  }

  /**
   * Runs this class on {@code dir} in a fresh JVM (this JVM's java and classpath, -Xmx1g) and returns its JSON line.
   * @param share false for {@code shareWeights(false)}
   * @throws IllegalStateException when the forked JVM fails or runs past 5 minutes
   */
  public static JsonNode fork(Path dir, boolean share) throws IOException, InterruptedException {
    List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
        "-cp", System.getProperty("java.class.path"), ModelMemory.class.getName(), dir.toString(),
        share ? "shared" : "unshared");
    Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IllegalStateException("ModelMemory on " + dir + " failed: " + out);
    }
    String[] lines = out.strip().split("\n");
    return new ObjectMapper().readTree(lines[lines.length - 1]);
  }

  private static double mib(Map<String, Long> after, Map<String, Long> before, String key) {
    return Math.round((after.getOrDefault(key, 0L) - before.getOrDefault(key, 0L)) / 1024.0 * 10) / 10.0;
  }

  /** kB figures of /proc/self/status. */
  private static Map<String, Long> status() throws IOException {
    Map<String, Long> kb = new LinkedHashMap<>();
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.endsWith(" kB")) {
        int colon = line.indexOf(':');
        kb.put(line.substring(0, colon), Long.parseLong(line.substring(colon + 1).replaceAll("[^0-9]", "")));
      }
    }
    return kb;
  }
}
