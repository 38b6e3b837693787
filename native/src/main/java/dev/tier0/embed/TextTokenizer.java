package dev.tier0.embed;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
  private volatile HuggingFaceTokenizer counting; // special tokens, no truncation: counts, and cuts passages
  private volatile HuggingFaceTokenizer spanning; // no special tokens, no truncation: pieces of long tokens
  private volatile int specialTokens = -1;
  /**
   * A token longer than this many characters is re-tokenised in pieces of this size: a WordPiece tokenizer gives
   * a whole word over its max_input_chars_per_word (100 for BERT) one [UNK] token, which would make a long run
   * without spaces a single unsplittable token.
   */
  static final int LONG_TOKEN_CHARS = 64;

  TextTokenizer(Path tokenizerFile, int maxLength, long padId) {
    this.file = tokenizerFile;
    this.maxLength = maxLength;
    this.padId = padId;
    try {
      HuggingFaceTokenizer.Builder builder = HuggingFaceTokenizer.builder()
          .optTokenizerPath(tokenizerFile)
          .optAddSpecialTokens(true)
          .optTruncation(true)
          .optMaxLength(maxLength)
          .optPadding(false);
      // DJL lowers maxLength to its modelMaxLength, 512 unless told, so a longer max_length would cut at 512
      builder.configure(Map.of("modelMaxLength", maxLength));
      this.truncating = builder.build();
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
    return encodeWhole(text).length();
  }

  /** The text's ids with the special tokens and without truncation: what the model reads when they fit max_length. */
  TokenizedText encodeWhole(String text) {
    return new TokenizedText(countingTokenizer().encode(sanitize(text)).getIds(), false);
  }

  /** {@code whole} (from {@link #encodeWhole}) when the model reads it as it is, null when it would be truncated. */
  TokenizedText fitting(TokenizedText whole) {
    return whole.length() <= maxLength ? whole : null;
  }

  int maxLength() {
    return maxLength;
  }

  /** Tokens the tokenizer adds to every text (e.g. [CLS] and [SEP]: 2; Qwen3's end-of-text: 1). */
  int specialTokenCount() {
    int n = specialTokens;
    if (n < 0) {
      n = countTokens("") ;
      specialTokens = n;
    }
    return n;
  }

  /**
   * The text's tokens (no special tokens, no truncation) as spans: {@code [0]} the starts, {@code [1]} the ends,
   * in UTF-16 indices of {@code text}. A token wider than {@link #LONG_TOKEN_CHARS} is re-tokenised piece by piece.
   * Passages are cut by {@link #spanned}, which must give exactly these spans from its pass with special tokens:
   * this pass, without them, is what {@code PassageTokensIT} holds it to.
   */
  int[][] tokenSpans(String text) {
    String clean = sanitize(text); // same length: a surrogate is replaced by one char
    return spansOf(clean, spanningTokenizer().encode(clean));
  }

  /**
   * One tokenizer pass over a text for chunking: its token spans, as {@link #tokenSpans} gives them, and the ids
   * the model reads when the whole text fits max_length. A text that is one passage is then never tokenised again
   * to be embedded. The special tokens the model adds have no span in the text and are left out of the spans.
   */
  Spanned spanned(String text) {
    String clean = sanitize(text);
    Encoding whole = countingTokenizer().encode(clean);
    int[][] spans = spansOf(clean, whole);
    return new Spanned(spans[0], spans[1], fitting(new TokenizedText(whole.getIds(), false)));
  }

  /** The spans of {@code e}, an encoding of all of {@code clean}: {@code [0]} the starts, {@code [1]} the ends. */
  private int[][] spansOf(String clean, Encoding e) {
    IntList starts = new IntList();
    IntList ends = new IntList();
    addSpans(clean, 0, clean, e, starts, ends, true);
    return new int[][] {starts.toArray(), ends.toArray()};
  }

  /**
   * A text's token spans ({@code starts}, {@code ends}: UTF-16 indices, no special tokens) and, when the whole text
   * fits max_length, the ids the model reads for it ({@code whole}; null when it does not fit).
   */
  record Spanned(int[] starts, int[] ends, TokenizedText whole) {
  }

  /** Adds the spans of {@code e}, an encoding of {@code part} = {@code text[from, from + part.length())}. */
  private void addSpans(String text, int from, String part, Encoding e, IntList starts, IntList ends,
                        boolean splitLong) {
    CharSpan[] spans = e.getCharTokenSpans();
    int lastEnd = 0;
    for (CharSpan span : spans) {
      if (span == null) {
        continue; // a special token
      }
      int s = utf16Index(part, span.getStart());
      int end = utf16Index(part, span.getEnd());
      if (s < lastEnd) {
        // byte-level BPE maps several tokens to one character: keep the spans ascending and disjoint
        s = lastEnd;
        if (end < s) {
          end = s;
        }
      }
      if (splitLong && end - s > LONG_TOKEN_CHARS) {
        for (int p = s; p < end; ) {
          int q = Math.min(end, p + LONG_TOKEN_CHARS);
          if (q < end && Character.isLowSurrogate(part.charAt(q))) {
            q--;
          }
          String piece = text.substring(from + p, from + q);
          addSpans(text, from + p, piece, spanningTokenizer().encode(piece), starts, ends, false);
          p = q;
        }
      } else {
        // zero-width tokens (the 2nd and 3rd byte tokens of one character) are kept: windows count tokens
        starts.add(from + s);
        ends.add(from + end);
      }
      lastEnd = Math.max(lastEnd, end);
    }
  }

  /**
   * DJL reports offsets in Unicode code points (the Rust tokenizer's char offsets); Java strings index UTF-16 code
   * units. Identical for text without supplementary characters, which is checked first.
   */
  private static int utf16Index(String text, int codePoints) {
    if (!hasSupplementary(text)) {
      return Math.min(codePoints, text.length());
    }
    int total = text.codePointCount(0, text.length());
    return text.offsetByCodePoints(0, Math.min(codePoints, total));
  }

  private static boolean hasSupplementary(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (Character.isHighSurrogate(text.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  private HuggingFaceTokenizer spanningTokenizer() {
    HuggingFaceTokenizer t = spanning;
    if (t == null) {
      synchronized (this) {
        t = spanning;
        if (t == null) {
          try {
            t = HuggingFaceTokenizer.builder().optTokenizerPath(file).optAddSpecialTokens(false)
                .optTruncation(false).optPadding(false).build();
          } catch (IOException | RuntimeException e) {
            throw new EmbeddingException("cannot load tokenizer " + file, e);
          }
          spanning = t;
        }
      }
    }
    return t;
  }

  /** A growable int array (token counts of a 65 KB text reach tens of thousands). */
  private static final class IntList {
    int[] data = new int[256];
    int size;

    void add(int v) {
      if (size == data.length) {
        data = java.util.Arrays.copyOf(data, size * 2);
      }
      data[size++] = v;
    }

    int get(int i) {
      return data[i];
    }

    int[] toArray() {
      return java.util.Arrays.copyOf(data, size);
    }
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
    if (spanning != null) {
      spanning.close();
    }
  }
}
