package dev.tier0.streams;

import dev.tier0.embed.BundledModel;
import dev.tier0.embed.EngineOptions;
import dev.tier0.embed.SharedModels;
import dev.tier0.ingest.Embedder;
import dev.tier0.ingest.EngineEmbedder;

/** The real bundled MiniLM, loaded once per test JVM (released when the JVM ends). */
final class TestModel {
  private static Embedder embedder;

  private TestModel() {}

  static synchronized Embedder embedder() {
    if (embedder == null) {
      embedder = new EngineEmbedder(SharedModels.acquire(BundledModel.directory(), EngineOptions.defaults()));
    }
    return embedder;
  }
}
