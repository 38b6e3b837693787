package dev.tier0.embed;

import java.util.List;

/** The padded sequence length for a batch whose longest text has {@code longest} tokens (single-graph models). */
final class PadLength implements BatchShape {
  private final ModelSpec.Padding padding;
  private final int maxLength;
  private final List<Integer> buckets;

  PadLength(ModelSpec.Padding padding, int maxLength, List<Integer> buckets) {
    this.padding = padding;
    this.maxLength = maxLength;
    this.buckets = List.copyOf(buckets);
  }

  static PadLength of(ModelSpec spec, ModelSpec.Padding padding) {
    return new PadLength(padding, spec.maxLength(), spec.effectiveBuckets());
  }

  int forLongest(int longest) {
    if (longest > maxLength) {
      throw new IllegalArgumentException("sequence of " + longest + " tokens exceeds max_length " + maxLength);
    }
    return switch (padding) {
      case FIXED -> maxLength;
      case LONGEST -> Math.max(longest, 1);
      case BUCKETS -> buckets.stream().filter(b -> b >= longest).findFirst().orElse(maxLength);
    };
  }

  @Override
  public int paddedLength(int longest) {
    return forLongest(longest);
  }

  /** A single graph with a dynamic batch dimension runs any number of rows as they are. */
  @Override
  public int tensorRows(int rows, int paddedLength) {
    return rows;
  }

  @Override
  public boolean oneLengthPerBatch() {
    return false;
  }

  /** Every length a batch can be padded to when shapes are static; empty for padding=longest. */
  List<Integer> staticLengths() {
    return switch (padding) {
      case FIXED -> List.of(maxLength);
      case LONGEST -> List.of();
      case BUCKETS -> buckets;
    };
  }
}
