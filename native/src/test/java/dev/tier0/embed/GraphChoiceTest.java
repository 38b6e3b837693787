package dev.tier0.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The contract's rule for picking a static graph, and how the planner cuts batches to fit the graphs. */
class GraphChoiceTest {
  // b1/b8 at 32 and 64, only b1 at 128: batch sizes need not be the same for every sequence
  private static final GraphChoice CHOICE = new GraphChoice(List.of(
      new ModelSpec.StaticGraph("b8-s64.onnx", 8, 64), new ModelSpec.StaticGraph("b1-s32.onnx", 1, 32),
      new ModelSpec.StaticGraph("b1-s128.onnx", 1, 128), new ModelSpec.StaticGraph("b8-s32.onnx", 8, 32),
      new ModelSpec.StaticGraph("b1-s64.onnx", 1, 64)));

  @ParameterizedTest(name = "{0} rows, longest {1} -> {2}")
  @CsvSource({
      "1, 1, b1-s32.onnx", "1, 32, b1-s32.onnx", "2, 32, b8-s32.onnx", "8, 5, b8-s32.onnx",
      "1, 33, b1-s64.onnx", "7, 64, b8-s64.onnx", "1, 65, b1-s128.onnx", "1, 128, b1-s128.onnx"})
  void picksTheSmallestSequenceThenTheSmallestBatch(int rows, int longest, String file) {
    assertThat(CHOICE.pick(rows, longest).file()).isEqualTo(file);
  }

  @Test
  void refusesWhatNoGraphTakes() {
    assertThatThrownBy(() -> CHOICE.pick(1, 129)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exceeds the longest graph sequence 128");
    assertThatThrownBy(() -> CHOICE.pick(2, 100)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2 rows exceed the largest graph batch at sequence 128 (1)");
    assertThat(CHOICE.tensorRows(9, 32)).isEqualTo(-1);
    assertThat(CHOICE.tensorRows(3, 32)).isEqualTo(8);
  }

  @ParameterizedTest(name = "{0} texts of 10 tokens -> batches {1}")
  @CsvSource({"1, 1", "7, 7", "8, 8", "9, 8+1", "17, 8+8+1"})
  void splitsRowsAboveTheLargestBatch(int texts, String sizes) {
    int[] lengths = new int[texts];
    java.util.Arrays.fill(lengths, 10);
    List<int[]> batches = BatchPlanner.plan(lengths, 32, 100_000, CHOICE);
    assertThat(String.join("+", batches.stream().map(b -> String.valueOf(b.length)).toList())).isEqualTo(sizes);
  }

  @Test
  void neverMixesBucketsAndFollowsEachBucketsLargestBatch() {
    // 3 texts fit 32, 2 need 64, 2 need 128 (only b1 there)
    int[] lengths = {100, 5, 40, 6, 7, 50, 128};
    List<int[]> batches = BatchPlanner.plan(lengths, 32, 100_000, CHOICE);
    assertThat(batches).hasSize(4);
    assertThat(batches.get(0)).containsExactly(1, 3, 4);
    assertThat(batches.get(1)).containsExactly(2, 5);
    assertThat(batches.get(2)).containsExactly(0);
    assertThat(batches.get(3)).containsExactly(6);
  }

  @Test
  void theTokenBudgetCountsTheFillRowsOfTheChosenGraph() {
    // two texts would run as b8-s32 = 256 padded tokens; with a budget of 200 each runs alone on b1-s32
    List<int[]> batches = BatchPlanner.plan(new int[] {3, 4}, 32, 200, CHOICE);
    assertThat(batches).extracting(b -> b.length).containsExactly(1, 1);
    assertThat(BatchPlanner.plan(new int[] {3, 4}, 32, 256, CHOICE)).extracting(b -> b.length).containsExactly(2);
  }

  @Test
  void everyIndexOnceAndEveryBatchFitsOneGraph() {
    Random random = new Random(7);
    int[] lengths = random.ints(3000, 1, 129).toArray();
    List<int[]> batches = BatchPlanner.plan(lengths, 32, 4096, CHOICE);
    List<Integer> seen = new ArrayList<>();
    for (int[] batch : batches) {
      int longest = 0;
      for (int i : batch) {
        seen.add(i);
        longest = Math.max(longest, lengths[i]);
      }
      ModelSpec.StaticGraph graph = CHOICE.pick(batch.length, longest);
      assertThat((long) graph.batch() * graph.sequence()).isLessThanOrEqualTo(4096);
    }
    assertThat(seen).hasSize(3000).doesNotHaveDuplicates();
  }
}
