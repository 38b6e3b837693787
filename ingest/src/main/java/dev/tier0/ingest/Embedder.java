package dev.tier0.ingest;

import java.util.List;

/**
 * What ingest and search need from the embedding model; {@link EngineEmbedder} is the one implementation over
 * the native engine. Kept this small so the writer and the topologies can be tested without ONNX types.
 * A failure on one call is a RuntimeException; the writer then embeds the texts one by one to find the one at
 * fault.
 */
public interface Embedder {
  String modelName();

  /** Components of every vector this returns. */
  int dimension();

  /** One L2-normalised vector of {@link #dimension()} floats per text, in order. */
  List<float[]> embedDocuments(List<String> texts);

  /** Like {@link #embedDocuments}, with the model's query instruction applied to each query when it has one. */
  List<float[]> embedQueries(List<String> queries);

  /** Tokens the model would see for this text, for token-budgeted batching. */
  int countTokens(String text);
}
