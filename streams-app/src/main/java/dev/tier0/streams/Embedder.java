package dev.tier0.streams;

import java.util.List;

/**
 * What the topologies need from the embedding model. The production implementation is {@link EngineEmbedder}
 * over the shared ONNX engine; keeping the port this small keeps the topologies free of ONNX types.
 */
public interface Embedder {
  String modelName();

  int dimension();

  /** One L2-normalised vector per text, in order. */
  List<float[]> embedDocuments(List<String> texts);

  /** Like {@link #embedDocuments}, with the model's query instruction applied to each query when it has one. */
  List<float[]> embedQueries(List<String> queries);

  /** Tokens the model would see for this text, for the ingest batch's token budget. */
  int countTokens(String text);
}
