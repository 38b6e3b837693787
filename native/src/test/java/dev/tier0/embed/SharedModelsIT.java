package dev.tier0.embed;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class SharedModelsIT {
  private static final EngineOptions OPTIONS = EngineOptions.builder().provider(ExecutionProvider.CPU)
      .intraOpThreads(1).build(); // options unique to this test class: its own registry entry

  @Test
  void twoAcquiresShareOneSessionAndTheLastCloseReleasesIt() throws Exception {
    Path dir = ModelDirs.fresh("alias");
    Path model = TestModels.minilm();
    Path viaSymlink = java.nio.file.Files.createSymbolicLink(dir.resolve("alias"), model);
    int loadsBefore = SharedModels.loadCount();
    int openBefore = SharedModels.openCount();
    EmbeddingEngine first = SharedModels.acquire(model, OPTIONS);
    EmbeddingEngine second = SharedModels.acquire(viaSymlink, OPTIONS); // same canonical directory
    assertThat(SharedModels.loadCount()).isEqualTo(loadsBefore + 1);
    assertThat(SharedModels.openCount()).isEqualTo(openBefore + 1);

    first.close();
    assertThat(SharedModels.openCount()).isEqualTo(openBefore + 1); // still referenced by second
    assertThat(second.embedQuery("still works").vector()).hasSize(384);
    second.close();
    assertThat(SharedModels.openCount()).isEqualTo(openBefore);

    try (EmbeddingEngine again = SharedModels.acquire(model, OPTIONS)) {
      assertThat(SharedModels.loadCount()).isEqualTo(loadsBefore + 2); // released, so loaded anew
      assertThat(again.modelName()).isEqualTo("all-minilm-l6-v2");
    }
  }

  @Test
  void graphRunsOfTheLoadedModelsAreListedPerModelAndGraph() {
    Path dir = TestModels.generated("tiny-qwen3-coreml-fp32");
    String model = ModelSpec.read(dir).name();
    try (EmbeddingEngine engine = SharedModels.acquire(dir, OPTIONS)) {
      engine.embedDocuments(Sentences.generate(9, 2, 6, 3)); // 9 short texts: b8-s32 once, b1-s32 once
      assertThat(SharedModels.graphRuns())
          .containsEntry(model + "/graphs/b8-s32.onnx", engine.graphRuns().get("graphs/b8-s32.onnx"))
          .containsEntry(model + "/graphs/b1-s32.onnx", engine.graphRuns().get("graphs/b1-s32.onnx"));
      assertThat(engine.graphRuns().get("graphs/b8-s32.onnx")).isPositive();
    }
    assertThat(SharedModels.graphRuns().keySet()).noneMatch(k -> k.startsWith(model + "/")); // released
  }

  @Test
  void differentOptionsAreDifferentSessions() {
    int loadsBefore = SharedModels.loadCount();
    try (EmbeddingEngine a = SharedModels.acquire(TestModels.minilm(), OPTIONS);
         EmbeddingEngine b = SharedModels.acquire(TestModels.minilm(), OPTIONS.toBuilder().batchMaxRecords(7).build())) {
      assertThat(SharedModels.loadCount()).isEqualTo(loadsBefore + 2);
    }
  }

  @Test
  void fourThreadsEmbeddingConcurrentlyGetIdenticalVectors() throws Exception {
    List<String> texts = Sentences.generate(40, 3, 40, 5);
    try (EmbeddingEngine engine = SharedModels.acquire(TestModels.minilm(), OPTIONS)) {
      List<Embedding> expected = engine.embedDocuments(texts);
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<List<Embedding>>> results = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          Callable<List<Embedding>> task = () -> {
            List<Embedding> out = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
              out = engine.embedDocuments(texts);
            }
            return out;
          };
          results.add(pool.submit(task));
        }
        for (Future<List<Embedding>> f : results) {
          List<Embedding> got = f.get();
          for (int i = 0; i < texts.size(); i++) {
            assertThat(got.get(i).vector()).containsExactly(expected.get(i).vector());
          }
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }
}
