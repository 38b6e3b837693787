package dev.tier0.embed;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tokenisation on the real MiniLM (BERT WordPiece) and Qwen3 (byte-level BPE) vocabularies. */
class TokenizerIT {
  private static final long QWEN3_PAD = 151643; // <|endoftext|>
  private static final long QWEN3_EXCLAMATION = 0; // "!" is id 0 in the Qwen3 vocabulary

  private static Path qwen3() {
    return TestModels.generatedFile("tiny-qwen3-fp32", "tokenizer.json");
  }

  @Test
  void qwen3IdsForKnownStrings() {
    try (TextTokenizer tok = new TextTokenizer(qwen3(), 32, QWEN3_PAD)) {
      List<TokenizedText> t = tok.encode(List.of("Hello world", "!", ""));
      assertThat(t.get(0).ids()).containsExactly(9707, 1879);
      assertThat(t.get(1).ids()).containsExactly(QWEN3_EXCLAMATION);
      assertThat(t.get(2).ids()).isEmpty();
      assertThat(tok.modelIds(t.get(2))).containsExactly(QWEN3_PAD);
    }
  }

  @Test
  void djlsDefaultPaddingWouldInsertTheRealTokenExclamationMark() throws Exception {
    // the trap: DJL pads with id 0 unless told otherwise, and 0 is "!" for Qwen3
    try (HuggingFaceTokenizer djlDefault = HuggingFaceTokenizer.newInstance(qwen3(), java.util.Map.of("padding", "true"))) {
      Encoding[] padded = djlDefault.batchEncode(List.of("Hello world", "Hello world, how are you today"));
      assertThat(padded[0].getIds()).contains(QWEN3_EXCLAMATION);
    }
    // ours never pads in the tokenizer; the batch is padded in Java with the spec's id
    try (TextTokenizer tok = new TextTokenizer(qwen3(), 32, QWEN3_PAD)) {
      List<TokenizedText> t = tok.encode(List.of("Hello world", "Hello world, how are you today"));
      assertThat(t.get(0).ids()).containsExactly(9707, 1879);
      assertThat(t.get(1).length()).isGreaterThan(2);
      PaddedBatch batch = PaddedBatch.of(List.of(t.get(0).ids(), t.get(1).ids()), t.get(1).length(),
          ModelSpec.PaddingSide.LEFT, QWEN3_PAD);
      assertThat(batch.inputIds()).doesNotContain(QWEN3_EXCLAMATION);
      int pads = t.get(1).length() - 2;
      for (int i = 0; i < pads; i++) {
        assertThat(batch.inputIds()[i]).isEqualTo(QWEN3_PAD);
        assertThat(batch.attentionMask()[i]).isZero();
      }
    }
  }

  @Test
  void truncatesAtMaxLengthAndFlagsIt() {
    try (TextTokenizer tok = new TextTokenizer(qwen3(), 8, QWEN3_PAD)) {
      String longText = "one two three four five six seven eight nine ten eleven twelve";
      List<TokenizedText> t = tok.encode(List.of(longText, "one two three"));
      assertThat(t.get(0).ids()).hasSize(8);
      assertThat(t.get(0).truncated()).isTrue();
      assertThat(t.get(1).truncated()).isFalse();
      assertThat(tok.countTokens(longText)).isGreaterThan(8);
      // exactly max_length tokens is not truncation
      TokenizedText exact = tok.encode(List.of(longText)).get(0);
      String eight = "one two three four five six seven eight";
      assertThat(tok.countTokens(eight)).isEqualTo(8);
      assertThat(tok.encode(List.of(eight)).get(0).truncated()).isFalse();
      assertThat(exact.ids()).containsExactly(tok.encode(List.of(eight)).get(0).ids());
    }
  }

  @Test
  void bertTruncationKeepsTheSeparatorTokens() {
    Path minilm = TestModels.minilm().resolve("tokenizer.json");
    try (TextTokenizer tok = new TextTokenizer(minilm, 6, 0)) {
      TokenizedText t = tok.encode(List.of("alpha beta gamma delta epsilon zeta eta theta")).get(0);
      assertThat(t.ids()).hasSize(6);
      assertThat(t.ids()[0]).isEqualTo(101);   // [CLS]
      assertThat(t.ids()[5]).isEqualTo(102);   // [SEP]
      assertThat(t.truncated()).isTrue();
      TokenizedText empty = tok.encode(List.of("")).get(0);
      assertThat(empty.ids()).containsExactly(101, 102);
      assertThat(tok.encode(List.of(" \t\n ")).get(0).ids()).containsExactly(101, 102);
    }
  }

  @Test
  void unpairedSurrogatesBecomeTheReplacementCharacter() {
    try (TextTokenizer tok = new TextTokenizer(qwen3(), 32, QWEN3_PAD)) {
      List<TokenizedText> t = tok.encode(List.of("a\uD83Db", "a\uFFFDb", "rocket \uD83D\uDE80"));
      assertThat(t.get(0).ids()).containsExactly(t.get(1).ids());
      assertThat(t.get(2).length()).isGreaterThan(1);
    }
  }
}
