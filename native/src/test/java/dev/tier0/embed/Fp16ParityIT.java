package dev.tier0.embed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The FP16 export of a graph against its FP32 original, on 240 generated English sentences. */
class Fp16ParityIT {
  private static final EngineOptions CPU = EngineOptions.builder().provider(ExecutionProvider.CPU).build();

  @ParameterizedTest(name = "{0} vs {1}")
  @CsvSource({"minilm-last4-fp16, minilm-last4-fp32", "tiny-qwen3-fp16, tiny-qwen3-fp32"})
  void fp16VectorsMatchFp32(String fp16Dir, String fp32Dir) {
    List<String> sentences = Sentences.generate(240, 5, 60, 20261124L);
    try (EmbeddingEngine fp16 = SharedModels.acquire(TestModels.generated(fp16Dir), CPU);
         EmbeddingEngine fp32 = SharedModels.acquire(TestModels.generated(fp32Dir), CPU)) {
      assertThat(fp16.spec().dtype()).isEqualTo(ModelSpec.Dtype.FLOAT16);
      assertThat(fp32.spec().dtype()).isEqualTo(ModelSpec.Dtype.FLOAT32);
      List<Embedding> half = fp16.embedDocuments(sentences);
      List<Embedding> full = fp32.embedDocuments(sentences);
      double min = 1;
      double sum = 0;
      for (int i = 0; i < sentences.size(); i++) {
        double cos = TestModels.cosine(half.get(i).vector(), full.get(i).vector());
        min = Math.min(min, cos);
        sum += cos;
      }
      System.out.printf("%s vs %s: %d sentences, min cosine %.6f, mean %.6f%n", fp16Dir, fp32Dir, sentences.size(),
          min, sum / sentences.size());
      for (int i = 0; i < sentences.size(); i++) {
        assertThat(TestModels.cosine(half.get(i).vector(), full.get(i).vector()))
            .as("sentence %d \"%s\"", i, sentences.get(i)).isGreaterThanOrEqualTo(0.9999);
      }
    }
  }
}
