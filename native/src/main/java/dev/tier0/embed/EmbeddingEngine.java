package dev.tier0.embed;

import java.util.List;

/**
 * A loaded embedding model. Obtain one from {@link SharedModels#acquire}; thread-safe; {@link #close()} releases
 * this handle (the native session goes when the last handle of the model closes).
 */
public interface EmbeddingEngine extends AutoCloseable {
  ModelSpec spec();

  /** Dimension of the returned vectors (after MRL truncation). */
  int dimension();

  String modelName();

  /** One embedding per text, in input order; texts are batched by length under the options' record/token budgets. */
  List<Embedding> embedDocuments(List<String> texts);

  /** Embeds a search query, applying the spec's query_template when present. */
  Embedding embedQuery(String query);

  /** Tokens of the text as the model would count them (special tokens included), without truncation or padding. */
  int countTokens(String text);

  @Override
  void close();
}
