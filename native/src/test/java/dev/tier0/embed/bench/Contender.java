package dev.tier0.embed.bench;

import java.util.List;

/** One benchmark row: embeds a whole corpus (throughput) and single queries (latency). */
interface Contender extends AutoCloseable {
  String name();

  /** Embeds every sentence; returns the vectors in input order. */
  List<float[]> embedAll(List<String> sentences) throws Exception;

  /** Embeds one query as a search request would. */
  float[] embedOne(String sentence) throws Exception;

  @Override
  void close() throws Exception;
}
