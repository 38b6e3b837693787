package dev.tier0.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Throughput mode on real weights: several ORT runs at once over one session give the same vectors as latency mode,
 * in input order, under many concurrent callers, on the single-graph and the multi-graph (static) runners; the token
 * budget is whole again after every call; a failing batch reaches the caller. No timings here (bench/run engine).
 */
class ThroughputModeIT {
  private static final EngineOptions LATENCY = EngineOptions.builder().provider(ExecutionProvider.CPU)
      .batchMaxRecords(8).batchMaxTokens(200).build();
  /** 3 runs share 600 tokens: 200 each, so both modes cut the very same batches and any difference is the runs'. */
  private static final EngineOptions THROUGHPUT = LATENCY.toBuilder().batchMaxTokens(600)
      .mode(EngineMode.THROUGHPUT).concurrentRuns(3).build();

  private static List<String> texts() {
    List<String> texts = new ArrayList<>(Sentences.generate(300, 1, 60, 7));
    texts.add(5, "");
    texts.add(17, "a");
    return texts;
  }

  @Test
  void concurrentRunsGiveTheSameVectorsInInputOrder() {
    List<String> texts = texts();
    try (EmbeddingEngine latency = SharedModels.acquire(TestModels.minilm(), LATENCY);
         EmbeddingEngine throughput = SharedModels.acquire(TestModels.minilm(), THROUGHPUT)) {
      List<Embedding> expected = latency.embedDocuments(texts);
      List<Embedding> actual = throughput.embedDocuments(texts);
      assertThat(actual).hasSize(texts.size());
      for (int i = 0; i < texts.size(); i++) {
        assertThat(actual.get(i).vector()).as("text %d", i).containsExactly(expected.get(i).vector());
        assertThat(actual.get(i).tokenCount()).isEqualTo(expected.get(i).tokenCount());
      }
      assertThat(((SharedModels.Handle) throughput).engine().freeTokens()).isEqualTo(600);
    }
  }

  @Test
  void byDefaultEachRunTakesBatchesOfSixteenAndLatencyModeOfThirtyTwo() {
    EngineOptions cpu = EngineOptions.builder().provider(ExecutionProvider.CPU).build();
    List<String> texts = Sentences.generate(64, 5, 20, 3);
    try (EmbeddingEngine latency = SharedModels.acquire(TestModels.minilm(), cpu);
         EmbeddingEngine throughput = SharedModels.acquire(TestModels.minilm(),
             cpu.toBuilder().mode(EngineMode.THROUGHPUT).concurrentRuns(2).build())) {
      // 2 runs pinned: with one per core, a many-core host's share of the token budget would cut smaller batches
      assertThat(runsFor(throughput, texts)).isEqualTo(4);
      assertThat(runsFor(latency, texts)).isEqualTo(2);
    }
  }

  /** The ORT runs one call of these texts took. */
  private static long runsFor(EmbeddingEngine engine, List<String> texts) {
    long before = engine.graphRuns().values().stream().mapToLong(Long::longValue).sum();
    engine.embedDocuments(texts);
    return engine.graphRuns().values().stream().mapToLong(Long::longValue).sum() - before;
  }

  @Test
  void manyCallersAtOnceEachGetTheirOwnVectorsAndTheBudgetIsWholeAfterwards() throws Exception {
    List<String> texts = texts();
    try (EmbeddingEngine latency = SharedModels.acquire(TestModels.minilm(), LATENCY);
         EmbeddingEngine throughput = SharedModels.acquire(TestModels.minilm(), THROUGHPUT)) {
      List<Embedding> expected = latency.embedDocuments(texts);
      ExecutorService callers = Executors.newFixedThreadPool(4);
      try {
        List<Future<List<Embedding>>> calls = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
          int from = c * 40;
          calls.add(callers.submit(() -> throughput.embedDocuments(texts.subList(from, from + 150))));
        }
        for (int c = 0; c < calls.size(); c++) {
          List<Embedding> got = calls.get(c).get();
          for (int i = 0; i < got.size(); i++) {
            assertThat(got.get(i).vector()).as("caller %d text %d", c, i)
                .containsExactly(expected.get(c * 40 + i).vector());
          }
        }
      } finally {
        callers.shutdown();
      }
      assertThat(((SharedModels.Handle) throughput).engine().freeTokens()).isEqualTo(600);
    }
  }

  @Test
  void staticGraphsServeConcurrentRunsToo() {
    List<String> texts = texts().subList(0, 120);
    EngineOptions latency = EngineOptions.builder().provider(ExecutionProvider.CPU).build();
    try (EmbeddingEngine one = SharedModels.acquire(TestModels.generated("minilm-coreml-fp32"), latency);
         EmbeddingEngine many = SharedModels.acquire(TestModels.generated("minilm-coreml-fp32"),
             latency.toBuilder().mode(EngineMode.THROUGHPUT).concurrentRuns(3).build())) {
      List<Embedding> expected = one.embedDocuments(texts);
      List<Embedding> actual = many.embedDocuments(texts);
      for (int i = 0; i < texts.size(); i++) {
        assertThat(TestModels.cosine(actual.get(i).vector(), expected.get(i).vector())).as("text %d", i)
            .isGreaterThanOrEqualTo(0.9999999);
      }
    }
  }

  @Test
  void closingTheLastHandleStopsTheRunThreads() {
    EngineOptions own = THROUGHPUT.toBuilder().concurrentRuns(2).build(); // a model no other test holds
    OnnxEmbeddingEngine engine;
    try (EmbeddingEngine handle = SharedModels.acquire(TestModels.minilm(), own)) {
      engine = ((SharedModels.Handle) handle).engine();
      assertThat(handle.embedDocuments(texts())).hasSize(texts().size());
      assertThat(engine.runThreadsStopped()).isFalse();
    }
    assertThat(engine.runThreadsStopped()).isTrue();
  }
}
