package dev.tier0.connect.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tier0.embed.BundledModel;
import dev.tier0.embed.Embedding;
import dev.tier0.embed.EmbeddingEngine;
import dev.tier0.embed.EngineMode;
import dev.tier0.embed.EngineOptions;
import dev.tier0.embed.SharedModels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Embeds texts with the bundled model in a JVM of its own. The Connect worker under test runs in the test JVM
 * and loads the engine in the plugin's class loader; DJL's tokenizer library, once loaded from its fixed path by
 * one class loader, cannot be loaded by another in the same JVM, so the test's own embeddings come from here.
 *
 * <p>Arguments: input (JSON array of strings), output (JSON), batch size, and "vectors" to include the vectors.
 * System property {@code tier0.embed.mode} (latency | throughput, default latency): the engine's mode;
 * {@code tier0.embed.threads}: its intra-op threads per run (0, the default: the engine's choice).
 */
public final class EmbedTexts {
  private static final int WARM_UP = 1000;

  private EmbedTexts() {}

  public static void main(String[] args) throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<String> texts = List.of(json.readValue(Path.of(args[0]).toFile(), String[].class));
    int batch = Integer.parseInt(args[2]);
    boolean withVectors = args.length > 3 && args[3].equals("vectors");
    try (EmbeddingEngine engine = SharedModels.acquire(BundledModel.directory(),
        EngineOptions.builder().mode(EngineMode.parse(System.getProperty("tier0.embed.mode", "latency")))
            .intraOpThreads(Integer.getInteger("tier0.embed.threads", 0)).build())) {
      // warm-up (JIT, ORT's arenas for every padded length) so the timed pass sees the engine as a long-running
      // worker does
      for (int from = 0; from < Math.min(texts.size(), WARM_UP); from += batch) {
        engine.embedDocuments(texts.subList(from, Math.min(Math.min(texts.size(), WARM_UP), from + batch)));
      }
      List<float[]> vectors = new ArrayList<>(texts.size());
      long start = System.nanoTime();
      for (int from = 0; from < texts.size(); from += batch) {
        for (Embedding e : engine.embedDocuments(texts.subList(from, Math.min(texts.size(), from + batch)))) {
          vectors.add(e.vector());
        }
      }
      long elapsedNanos = System.nanoTime() - start;
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("model", engine.modelName());
      out.put("texts", texts.size());
      out.put("elapsed_ms", elapsedNanos / 1e6);
      if (withVectors) {
        out.put("vectors", vectors);
      }
      json.writeValue(Path.of(args[1]).toFile(), out);
    }
  }
}
