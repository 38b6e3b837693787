package dev.tier0.embed;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Passages carry the ids their tokenizer pass made, so ingest tokenises a one-passage text once, not once to cut it
 * and again to embed it (a longer text: its whole-text pass and one pass per passage, not a second one each): on the
 * real MiniLM (WordPiece) and Qwen3 (byte-level BPE, with and without an appended end-of-text token) tokenizers,
 * that one pass gives exactly the spans and ids of separate passes, and embedding passages gives exactly the vectors
 * of embedding their texts.
 */
class PassageTokensIT {
  private static final int[][] SETTINGS = {{0, 16}, {48, 8}, {16, 0}};

  /** Texts that stress the tokenizers' offsets: specials written out, long runs, surrogates, CJK, line breaks. */
  static List<String> corpus() {
    List<String> texts = new ArrayList<>(List.of("", " ", "a", "Hello world", "  a short memory  ",
        "café naïve façade, Ångström", "line one\nline two\r\n\r\nline three",
        "[CLS] written out [SEP] and [UNK] [PAD]", "<|endoftext|> written out <|im_start|>user",
        "an unpaired \uD800 surrogate and a low one \uDC00 too", "emoji 😀 and 🎉 between words 👩‍👩‍👧",
        "花园小屋的备用钥匙藏在门边第三块石头下面。".repeat(12), "tabs\tand\u00a0non-breaking\u2003spaces"));
    texts.add(ChunkingIT.longText(300, 11));
    texts.add(ChunkingIT.longText(120, 12).replace(".", ""));
    StringBuilder run = new StringBuilder();
    Random r = new Random(3);
    while (run.length() < 700) {
      run.append((char) ('a' + r.nextInt(26)));
      if (r.nextInt(180) == 0) {
        run.append(' ');
      }
    }
    texts.add(run.toString()); // tokens wider than TextTokenizer.LONG_TOKEN_CHARS, re-tokenised in pieces
    texts.add("emoji 😀 before the words; " + ChunkingIT.longText(90, 13) + " 🎉 end. ");
    texts.add(ChunkingIT.longText(700, 14)); // over 600 tokens for every tokenizer here
    return texts;
  }

  private static Path qwen3Tokenizer() {
    return TestModels.generatedFile("tiny-qwen3-fp32", "tokenizer.json");
  }

  /**
   * The tiny Qwen3's tokenizer with Qwen3-Embedding's post-processor: the released tokenizer.json appends
   * {@code <|endoftext|>} to every text (a TemplateProcessing after the ByteLevel step), which the tiny one leaves out.
   */
  private static Path qwen3WithEndOfText(Path dir) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode tokenizer = (ObjectNode) json.readTree(qwen3Tokenizer().toFile());
    ObjectNode template = json.createObjectNode().put("type", "TemplateProcessing");
    template.putArray("single").add(json.readTree("{\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}"))
        .add(json.readTree("{\"SpecialToken\": {\"id\": \"<|endoftext|>\", \"type_id\": 0}}"));
    template.putArray("pair").add(json.readTree("{\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}"))
        .add(json.readTree("{\"Sequence\": {\"id\": \"B\", \"type_id\": 1}}"))
        .add(json.readTree("{\"SpecialToken\": {\"id\": \"<|endoftext|>\", \"type_id\": 1}}"));
    template.set("special_tokens", json.readTree("{\"<|endoftext|>\": {\"id\": \"<|endoftext|>\", "
        + "\"ids\": [151643], \"tokens\": [\"<|endoftext|>\"]}}"));
    ObjectNode sequence = json.createObjectNode().put("type", "Sequence");
    sequence.putArray("processors").add(tokenizer.get("post_processor")).add(template);
    tokenizer.set("post_processor", sequence);
    Path file = dir.resolve("tokenizer.json");
    json.writeValue(file.toFile(), tokenizer);
    return file;
  }

  @Test
  void onePassGivesTheSpansAndIdsOfSeparatePasses(@TempDir Path tmp) throws IOException {
    Path qwen3Eot = qwen3WithEndOfText(tmp);
    try (TextTokenizer tok = new TextTokenizer(qwen3Eot, 32, 151643)) {
      assertThat(tok.specialTokenCount()).as("the post-processor appends <|endoftext|>").isEqualTo(1);
      assertThat(tok.encode(List.of("Hello world")).get(0).ids()).containsExactly(9707, 1879, 151643);
    }
    for (Path file : List.of(TestModels.minilm().resolve("tokenizer.json"), qwen3Tokenizer(), qwen3Eot)) {
      for (int maxLength : new int[] {32, 256, 600}) {
        try (TextTokenizer tok = new TextTokenizer(file, maxLength, 0)) {
          for (String text : corpus()) {
            TextTokenizer.Spanned one = tok.spanned(text);
            int[][] spans = tok.tokenSpans(text);
            assertThat(one.starts()).as("%s starts of %s", file, text).containsExactly(spans[0]);
            assertThat(one.ends()).as("%s ends of %s", file, text).containsExactly(spans[1]);
            TokenizedText encoded = tok.encode(List.of(text)).get(0);
            if (maxLength == 600 && text.length() > 3000) {
              // DJL would truncate at its own default of 512 unless the tokenizer tells it the model's max_length
              assertThat(encoded.ids()).as("%s truncates at max_length", file).hasSize(600);
            }
            if (one.whole() == null) {
              assertThat(encoded.truncated()).as("%s: %s does not fit %d", file, text, maxLength).isTrue();
            } else {
              assertThat(one.whole().ids()).as("%s ids of %s", file, text).containsExactly(encoded.ids());
              assertThat(one.whole().truncated()).isFalse();
              assertThat(encoded.truncated()).isFalse();
            }
          }
        }
      }
    }
  }

  @Test
  void embeddingPassagesGivesTheVectorsOfTheirTexts() {
    for (Path model : List.of(TestModels.minilm(), TestModels.generated("tiny-qwen3-fp32"))) {
      try (EmbeddingEngine e = SharedModels.acquire(model, EngineOptions.defaults())) {
        TextTokenizer tokenizer = ((SharedModels.Handle) e).engine().tokenizer();
        for (int[] setting : SETTINGS) {
          List<Passage> passages = new ArrayList<>();
          for (String text : corpus()) {
            passages.addAll(e.passages(text, setting[0], setting[1]));
          }
          // every passage that fits the model carries its ids: the engine does not tokenise it again
          for (Passage p : passages) {
            boolean fits = e.countTokens(p.text()) <= e.spec().maxLength();
            assertThat(p.tokensFor(tokenizer) != null).as("%s of %s carries ids", p, model).isEqualTo(fits);
          }
          List<Embedding> viaPassages = e.embedPassages(passages);
          List<Embedding> viaTexts = e.embedDocuments(passages.stream().map(Passage::text).toList());
          assertThat(viaPassages).hasSameSizeAs(viaTexts);
          for (int i = 0; i < viaTexts.size(); i++) {
            assertThat(viaPassages.get(i).vector()).as("%s %s", model, passages.get(i))
                .containsExactly(viaTexts.get(i).vector());
            assertThat(viaPassages.get(i).tokenCount()).isEqualTo(viaTexts.get(i).tokenCount());
            assertThat(viaPassages.get(i).truncated()).isEqualTo(viaTexts.get(i).truncated());
          }
        }
      }
    }
  }

  @Test
  void theCarriedIdsAreWhatIsEmbeddedAndOnlyByTheEngineThatMadeThem() {
    try (EmbeddingEngine minilm = SharedModels.acquire(TestModels.minilm(), EngineOptions.defaults());
         EmbeddingEngine qwen3 = SharedModels.acquire(TestModels.generated("tiny-qwen3-fp32"),
             EngineOptions.defaults())) {
      TextTokenizer tokenizer = ((SharedModels.Handle) minilm).engine().tokenizer();
      // a passage whose ids are another text's is embedded as that other text: the ids are what the model reads
      TokenizedText omega = tokenizer.encode(List.of("the river flooded the station")).get(0);
      Passage forged = Passage.tokenized("the garden budget", new TextSpan(0, 17), omega, tokenizer);
      assertThat(minilm.embedPassages(List.of(forged)).get(0).vector())
          .containsExactly(minilm.embedDocuments(List.of("the river flooded the station")).get(0).vector());
      // passages Qwen3 cut carry Qwen3's ids; MiniLM tokenises their texts itself
      String text = ChunkingIT.longText(200, 21);
      List<Passage> cutByQwen3 = qwen3.passages(text, 0, 4);
      assertThat(cutByQwen3).hasSizeGreaterThan(3);
      List<Embedding> embedded = minilm.embedPassages(cutByQwen3);
      List<Embedding> reference = minilm.embedDocuments(cutByQwen3.stream().map(Passage::text).toList());
      for (int i = 0; i < reference.size(); i++) {
        assertThat(embedded.get(i).vector()).containsExactly(reference.get(i).vector());
      }
    }
  }
}
