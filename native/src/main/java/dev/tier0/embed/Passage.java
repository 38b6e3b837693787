package dev.tier0.embed;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * One passage of a text, as {@link EmbeddingEngine#passages} cuts it: its span in the text, its own text and, when
 * the engine that cut it already has them, the token ids the model reads for it, so embedding it does not run the
 * tokenizer a second time. Ids are only used by the engine whose tokenizer made them; any other engine, and a
 * passage made with {@link #of}, is tokenised when embedded.
 */
public final class Passage {
  private final TextSpan span;
  private final String text;
  private final TokenizedText tokens;
  private final TextTokenizer tokenizer; // the one that made tokens; null without them

  private Passage(TextSpan span, String text, TokenizedText tokens, TextTokenizer tokenizer) {
    this.span = Objects.requireNonNull(span, "span");
    this.text = Objects.requireNonNull(text, "text");
    this.tokens = tokens;
    this.tokenizer = tokenizer;
  }

  /**
   * A passage without token ids: {@code span} of {@code whole}.
   *
   * @throws IndexOutOfBoundsException when the span lies outside {@code whole}
   */
  public static Passage of(String whole, TextSpan span) {
    return new Passage(span, span.of(whole), null, null);
  }

  /** A passage cut by {@code tokenizer}, with the ids it reads (null: tokenised when embedded). */
  static Passage tokenized(String whole, TextSpan span, TokenizedText tokens, TextTokenizer tokenizer) {
    return new Passage(span, span.of(whole), tokens, tokens == null ? null : tokenizer);
  }

  /** Where the passage lies in the text it was cut from (UTF-16 indices). */
  public TextSpan span() {
    return span;
  }

  /** The passage's text: {@code span().of(whole)}. */
  public String text() {
    return text;
  }

  /**
   * How many token ids the model reads for this passage (special tokens included), when the engine that cut it made
   * them; empty for a passage made with {@link #of} or one the cutting engine did not keep ids for. For a passage
   * that is a whole text, the same as {@link EmbeddingEngine#countTokens} of it.
   */
  public OptionalInt tokenCount() {
    return tokens == null ? OptionalInt.empty() : OptionalInt.of(tokens.length());
  }

  /** The ids for the model, when {@code tokenizer} made them; null otherwise. */
  TokenizedText tokensFor(TextTokenizer tokenizer) {
    return this.tokenizer == tokenizer ? tokens : null;
  }

  @Override
  public String toString() {
    return "Passage[" + span.start() + ", " + span.end() + ")";
  }
}
