package dev.tier0.embed;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * tier0 against the independent PyTorch pipeline (native/export, transformers + tokenizers) on the tiny
 * random-weight Qwen3: same token ids, same padded batch, same vectors.
 */
class Qwen3ReferenceParityIT {
  private static final EngineOptions CPU = EngineOptions.builder().provider(ExecutionProvider.CPU).build();

  static JsonNode reference() throws Exception {
    String override = System.getProperty("tier0.qwen3.reference"); // local runs before the fixture is merged
    Path file = override != null ? Path.of(override)
        : TestModels.nativeModuleDir().resolve("src/test/fixtures/tiny-qwen3/reference.json");
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException(file + " is missing: it is produced by native/export (tier0_export.py reference)");
    }
    return new ObjectMapper().readTree(file.toFile());
  }

  @Test
  void tokenIdsPaddingAndVectorsMatchThePyTorchReference() throws Exception {
    JsonNode ref = reference();
    Path dir = TestModels.generated("tiny-qwen3-fp32");
    ModelSpec spec = ModelSpec.read(dir);
    assertThat(ModelSpec.parse(ref.get("spec").toString())).isEqualTo(spec);
    List<String> texts = new ArrayList<>();
    ref.get("texts").forEach(t -> texts.add(t.asText()));
    assertThat(texts).hasSizeGreaterThanOrEqualTo(50);

    try (TextTokenizer tok = new TextTokenizer(dir.resolve(spec.tokenizerFile()), spec.maxLength(), spec.padTokenId());
         EmbeddingEngine engine = SharedModels.acquire(dir, CPU)) {
      List<TokenizedText> tokenized = tok.encode(texts);
      List<Embedding> embeddings = engine.embedDocuments(texts);
      double min = 1;
      double sum = 0;
      int compared = 0;
      for (int i = 0; i < texts.size(); i++) {
        String label = "text " + i + " \"" + texts.get(i) + "\"";
        int count = ref.get("token_counts").get(i).asInt();
        long[] expectedPadded = longs(ref.get("input_ids").get(i));
        TokenizedText t = tokenized.get(i);
        // ids and padding exactly as HuggingFace produces them, pad id from the spec (never 0 = "!")
        assertThat(t.ids()).as(label).containsExactly(java.util.Arrays.copyOf(expectedPadded, count));
        PaddedBatch padded = PaddedBatch.of(List.of(t.ids()), spec.maxLength(), spec.paddingSide(), spec.padTokenId());
        assertThat(padded.inputIds()).as(label).containsExactly(expectedPadded);
        assertThat(embeddings.get(i).truncated()).as(label).isEqualTo(ref.get("truncated").get(i).asBoolean());
        assertThat(embeddings.get(i).tokenCount()).as(label).isEqualTo(count);

        float[] expected = floats(ref.get("vectors").get(i));
        if (isZero(expected)) {
          // "" (no token: tier0 embeds one pad token) and the literal "<|endoftext|>": this random model's pad
          // embedding row is zero, so both pipelines give the zero vector; cosine is undefined, compare values
          assertThat(embeddings.get(i).vector()).as(label)
              .containsExactly(expected, org.assertj.core.data.Offset.offset(1e-6f));
          continue;
        }
        double cos = TestModels.cosine(embeddings.get(i).vector(), expected);
        assertThat(cos).as(label).isGreaterThanOrEqualTo(0.99999);
        min = Math.min(min, cos);
        sum += cos;
        compared++;
      }
      assertThat(compared).isGreaterThanOrEqualTo(50);
      System.out.printf("tiny Qwen3 parity vs PyTorch: %d texts, min cosine %.8f, mean %.8f%n", compared, min, sum / compared);
    }
  }

  @Test
  void aGraphWithExternalDataLoadsByPathAndEmbedsTheSame() {
    List<String> texts = Sentences.generate(20, 3, 30, 17);
    try (EmbeddingEngine inline = SharedModels.acquire(TestModels.generated("tiny-qwen3-fp32"), CPU);
         EmbeddingEngine external = SharedModels.acquire(TestModels.generated("tiny-qwen3-fp32-external"), CPU)) {
      List<Embedding> a = inline.embedDocuments(texts);
      List<Embedding> b = external.embedDocuments(texts);
      for (int i = 0; i < texts.size(); i++) {
        assertThat(b.get(i).vector()).containsExactly(a.get(i).vector());
      }
    }
  }

  @Test
  void aBatchNeverChangesAVector() {
    Path dir = TestModels.generated("tiny-qwen3-fp32");
    List<String> texts = List.of("Hello world", "Hello world, and a considerably longer companion sentence.", "a");
    try (EmbeddingEngine batched = SharedModels.acquire(dir, CPU);
         EmbeddingEngine single = SharedModels.acquire(dir, CPU.toBuilder().batchMaxRecords(1).build())) {
      List<Embedding> b = batched.embedDocuments(texts);
      List<Embedding> s = single.embedDocuments(texts);
      for (int i = 0; i < texts.size(); i++) {
        assertThat(TestModels.cosine(b.get(i).vector(), s.get(i).vector())).isGreaterThanOrEqualTo(0.99999);
      }
    }
  }

  private static long[] longs(JsonNode array) {
    long[] out = new long[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asLong();
    }
    return out;
  }

  private static float[] floats(JsonNode array) {
    float[] out = new float[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) array.get(i).asDouble();
    }
    return out;
  }

  private static boolean isZero(float[] v) {
    for (float x : v) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }
}
