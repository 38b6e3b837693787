package dev.tier0.embed;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The model's tokenizer.json through DJL's HuggingFace binding. Truncates at max_length (special tokens kept, as
 * HuggingFace does) and never pads: padding is done in Java by {@link PaddedBatch} with the spec's pad id.
 * A text that yields no token at all (an empty string with a tokenizer that adds no special tokens) is given one
 * pad token so it still has a defined embedding; its reported token count stays 0.
 */
final class TextTokenizer implements AutoCloseable {
  private final HuggingFaceTokenizer truncating;
  private final Path file;
  private final int maxLength;
  private final long padId;
  private volatile HuggingFaceTokenizer counting; // created on first countTokens: most callers never need it

  TextTokenizer(Path tokenizerFile, int maxLength, long padId) {
    this.file = tokenizerFile;
    this.maxLength = maxLength;
    this.padId = padId;
    try {
      this.truncating = HuggingFaceTokenizer.builder()
          .optTokenizerPath(tokenizerFile)
          .optAddSpecialTokens(true)
          .optTruncation(true)
          .optMaxLength(maxLength)
          .optPadding(false)
          .build();
    } catch (IOException | RuntimeException e) {
      throw new EmbeddingException("cannot load tokenizer " + tokenizerFile, e);
    }
  }

  List<TokenizedText> encode(List<String> texts) {
    String[] clean = texts.stream().map(TextTokenizer::sanitize).toArray(String[]::new);
    Encoding[] encodings = truncating.batchEncode(clean);
    List<TokenizedText> out = new ArrayList<>(encodings.length);
    for (Encoding e : encodings) {
      out.add(new TokenizedText(e.getIds(), e.exceedMaxLength()));
    }
    return out;
  }

  /** The ids a batch will see for this text: at least one id (see the class comment). */
  long[] modelIds(TokenizedText text) {
    return text.length() == 0 ? new long[] {padId} : text.ids();
  }

  /** Tokens of the whole text, special tokens included, without truncation or padding. */
  int countTokens(String text) {
    return countingTokenizer().encode(sanitize(text)).getIds().length;
  }

  int maxLength() {
    return maxLength;
  }

  private HuggingFaceTokenizer countingTokenizer() {
    HuggingFaceTokenizer c = counting;
    if (c == null) {
      synchronized (this) {
        c = counting;
        if (c == null) {
          try {
            c = HuggingFaceTokenizer.builder().optTokenizerPath(file).optAddSpecialTokens(true)
                .optTruncation(false).optPadding(false).build();
          } catch (IOException | RuntimeException e) {
            throw new EmbeddingException("cannot load tokenizer " + file, e);
          }
          counting = c;
        }
      }
    }
    return c;
  }

  private static String sanitize(String text) {
    if (text == null) {
      throw new IllegalArgumentException("text must not be null");
    }
    return TextSanitizer.replaceUnpairedSurrogates(text);
  }

  @Override
  public synchronized void close() {
    truncating.close();
    if (counting != null) {
      counting.close();
    }
  }
}
