package dev.tier0.ingest;

import dev.tier0.embed.Passage;
import dev.tier0.embed.TextSpan;
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

  /**
   * The text's passages: windows of at most {@code maxTokens} tokens (0: the model's max_length) cut on token
   * boundaries, see {@link dev.tier0.embed.EmbeddingEngine#passages}. This default keeps the text whole (for test
   * models without a tokenizer).
   */
  default List<Passage> passages(String text, int maxTokens, int overlapTokens) {
    return List.of(Passage.of(text, new TextSpan(0, text.length())));
  }

  /**
   * One vector per passage, in order, as {@link #embedDocuments} gives for their texts; the engine reuses the ids
   * it made while cutting them. This default embeds the texts.
   */
  default List<float[]> embedPassages(List<Passage> passages) {
    return embedDocuments(passages.stream().map(Passage::text).toList());
  }

  /**
   * Everything besides the text that decides a vector (model, pooling, lengths), for the content fingerprint: equal
   * strings mean an unchanged text would get the same vector again.
   */
  default String settingsFingerprint() {
    return modelName() + "/" + dimension();
  }
}
