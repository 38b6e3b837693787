package dev.tier0.embed;

import java.util.List;
import java.util.Map;

/**
 * A loaded embedding model. Obtain one from {@link SharedModels#acquire}; thread-safe; {@link #close()} releases
 * this handle (the native session goes when the last handle of the model closes).
 */
public interface EmbeddingEngine extends AutoCloseable {
  /**
   * Names the rule {@link #passages} cuts by, for content fingerprints: a stored passage's vector is only reusable
   * when the same settings give the same cuts, so a change to where cuts fall must change this string.
   * "v2": overlap only after a cut inside a sentence (v1 repeated it after every cut).
   */
  String CHUNK_RULE = "windows v2: sentence ends, overlap only at hard cuts";

  ModelSpec spec();

  /** Dimension of the returned vectors (after MRL truncation). */
  int dimension();

  String modelName();

  /** One embedding per text, in input order; texts are batched by length under the options' record/token budgets. */
  List<Embedding> embedDocuments(List<String> texts);

  /**
   * One embedding per passage, in input order, as {@link #embedDocuments} on their texts would give (the same ids,
   * so the same vectors); the ids this engine made while cutting them are used instead of tokenising again.
   */
  List<Embedding> embedPassages(List<Passage> passages);

  /** Embeds a search query, applying the spec's query_template when present. */
  Embedding embedQuery(String query);

  /** Tokens of the text as the model would count them (special tokens included), without truncation or padding. */
  int countTokens(String text);

  /**
   * Cuts a text into passages the model reads whole: windows of at most {@code maxTokens} tokens (special tokens
   * included; {@code <= 0} or over the model's max_length means max_length), cut between tokens, at a sentence or
   * line end in the window's second half when there is one; only a passage that had to end inside a sentence is
   * followed by one repeating its last {@code overlapTokens} tokens (at most half a window). A text that fits is
   * one passage over all of it. Where the cuts fall is named by {@link #CHUNK_RULE}. Each passage carries the ids
   * the tokenizer gave it while cutting, for {@link #embedPassages}.
   *
   * @return the passages, spans in UTF-16 indices of {@code text}, in order; at least one
   * @throws IllegalArgumentException when {@code maxTokens} leaves no room next to the special tokens
   */
  List<Passage> passages(String text, int maxTokens, int overlapTokens);

  /**
   * Which graph served the batches: ORT runs per graph file (relative to the model directory: {@code model_file},
   * or each {@code graphs[].file} of a multi-graph directory) since the model loaded in this JVM, shared by every
   * handle on it; warm-up runs are not counted. Sorted by file name.
   */
  Map<String, Long> graphRuns();

  /** Texts embedded per graph file since the model loaded (fill rows of static graphs not counted). */
  Map<String, Long> graphRows();

  @Override
  void close();
}
