package dev.tier0.embed;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Groups texts into ORT runs: sorted by token length (so padding is small), each batch at most maxRecords rows
 * and at most maxTokens padded tokens (rows x padded length), which bounds tensor memory whatever the input size.
 * A single text always forms a batch, even if it alone exceeds maxTokens.
 */
final class BatchPlanner {
  private BatchPlanner() {}

  /** @return batches of indices into {@code lengths}; every index appears exactly once */
  static List<int[]> plan(int[] lengths, int maxRecords, int maxTokens, PadLength padLength) {
    Integer[] order = IntStream.range(0, lengths.length).boxed().toArray(Integer[]::new);
    java.util.Arrays.sort(order, Comparator.comparingInt(i -> lengths[i]));
    List<int[]> batches = new ArrayList<>();
    List<Integer> current = new ArrayList<>();
    for (int index : order) {
      if (!current.isEmpty()) {
        int rows = current.size() + 1;
        int padded = padLength.forLongest(lengths[index]); // sorted: this text is the longest so far
        if (rows > maxRecords || (long) rows * padded > maxTokens) {
          batches.add(current.stream().mapToInt(Integer::intValue).toArray());
          current.clear();
        }
      }
      current.add(index);
    }
    if (!current.isEmpty()) {
      batches.add(current.stream().mapToInt(Integer::intValue).toArray());
    }
    return batches;
  }
}
