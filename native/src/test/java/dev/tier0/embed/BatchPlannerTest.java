package dev.tier0.embed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BatchPlannerTest {
  private static final PadLength LONGEST = new PadLength(ModelSpec.Padding.LONGEST, 512, List.of(512));

  @Test
  void sortsByLengthAndRespectsTheRecordLimit() {
    int[] lengths = {9, 1, 5, 3, 7};
    List<int[]> batches = BatchPlanner.plan(lengths, 2, 10_000, LONGEST);
    assertThat(batches).extracting(b -> b.length).containsExactly(2, 2, 1);
    assertThat(batches.get(0)).containsExactly(1, 3);
    assertThat(batches.get(1)).containsExactly(2, 4);
    assertThat(batches.get(2)).containsExactly(0);
  }

  @Test
  void cutsOnPaddedTokensIncludingTheGrowthOfThePadLength() {
    int[] lengths = {10, 10, 10, 30};
    // three rows of 10 = 30 padded tokens; adding the 30-token text would make it 4 x 30 = 120 > 40
    List<int[]> batches = BatchPlanner.plan(lengths, 100, 40, LONGEST);
    assertThat(batches).hasSize(2);
    assertThat(batches.get(0)).containsExactly(0, 1, 2);
    assertThat(batches.get(1)).containsExactly(3);
  }

  @Test
  void fixedPaddingCountsTheFullMaxLength() {
    PadLength fixed = new PadLength(ModelSpec.Padding.FIXED, 32, List.of());
    List<int[]> batches = BatchPlanner.plan(new int[] {2, 2, 2, 2}, 100, 64, fixed);
    assertThat(batches).extracting(b -> b.length).containsExactly(2, 2);
  }

  @Test
  void everyIndexOnceAndEveryBatchWithinBothBudgets() {
    Random random = new Random(1);
    int[] lengths = random.ints(5000, 1, 257).toArray();
    PadLength buckets = new PadLength(ModelSpec.Padding.BUCKETS, 256, List.of(32, 64, 128, 256));
    List<int[]> batches = BatchPlanner.plan(lengths, 32, 4096, buckets);
    List<Integer> seen = new ArrayList<>();
    for (int[] batch : batches) {
      int longest = 0;
      for (int i : batch) {
        seen.add(i);
        longest = Math.max(longest, lengths[i]);
      }
      assertThat(batch.length).isLessThanOrEqualTo(32);
      assertThat(batch.length * buckets.forLongest(longest)).isLessThanOrEqualTo(4096);
    }
    assertThat(seen).hasSize(5000).doesNotHaveDuplicates();
  }

  @Test
  void aTextLongerThanTheTokenBudgetStillGetsItsOwnBatch() {
    List<int[]> batches = BatchPlanner.plan(new int[] {100, 3}, 8, 50, LONGEST);
    assertThat(batches).hasSize(2);
    assertThat(batches.get(1)).containsExactly(0);
  }
}
