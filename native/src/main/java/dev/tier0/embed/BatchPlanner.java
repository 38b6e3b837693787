package dev.tier0.embed;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Groups texts into ORT runs: sorted by token length (so padding is small), each batch at most maxRecords rows
 * and at most maxTokens padded tokens (tensor rows x padded length), which bounds tensor memory whatever the input
 * size. With static graphs ({@link GraphChoice}) a batch also never holds more rows than the largest graph of its
 * sequence length takes, never mixes sequence buckets, and counts the fill rows of the graph it will run on.
 * A single text always forms a batch, even if it alone exceeds maxTokens. Results are put back in input order by
 * the caller through the indices.
 */
final class BatchPlanner {
  private BatchPlanner() {}

  /** @return batches of indices into {@code lengths}; every index appears exactly once */
  static List<int[]> plan(int[] lengths, int maxRecords, int maxTokens, BatchShape shape) {
    Integer[] order = IntStream.range(0, lengths.length).boxed().toArray(Integer[]::new);
    java.util.Arrays.sort(order, Comparator.comparingInt(i -> lengths[i]));
    List<int[]> batches = new ArrayList<>();
    List<Integer> current = new ArrayList<>();
    int currentPadded = 0;
    for (int index : order) {
      int padded = shape.paddedLength(lengths[index]); // sorted: this text is the longest so far
      if (!current.isEmpty()) {
        int rows = current.size() + 1;
        int tensorRows = shape.tensorRows(rows, padded);
        if (rows > maxRecords || tensorRows < 0 || (long) tensorRows * padded > maxTokens
            || (shape.oneLengthPerBatch() && padded != currentPadded)) {
          batches.add(current.stream().mapToInt(Integer::intValue).toArray());
          current.clear();
        }
      }
      current.add(index);
      currentPadded = padded;
    }
    if (!current.isEmpty()) {
      batches.add(current.stream().mapToInt(Integer::intValue).toArray());
    }
    return batches;
  }
}
