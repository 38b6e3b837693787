package dev.tier0.embed;

import java.util.List;

/**
 * Token ids of one batch padded to a common length in Java (never by the tokenizer, whose default pad id 0 is a
 * real token for some vocabularies), with the attention mask and position ids that go with them. Flat [rows, length].
 */
record PaddedBatch(int rows, int length, long[] inputIds, long[] attentionMask, long[] positionIds) {

  static PaddedBatch of(List<long[]> sequences, int length, ModelSpec.PaddingSide side, long padId) {
    int rows = sequences.size();
    long[] ids = new long[rows * length];
    long[] mask = new long[rows * length];
    long[] positions = new long[rows * length]; // pads keep position 0: they are masked out
    java.util.Arrays.fill(ids, padId);
    for (int r = 0; r < rows; r++) {
      long[] seq = sequences.get(r);
      if (seq.length > length) {
        throw new IllegalArgumentException("sequence of " + seq.length + " tokens does not fit length " + length);
      }
      int start = r * length + (side == ModelSpec.PaddingSide.LEFT ? length - seq.length : 0);
      for (int t = 0; t < seq.length; t++) {
        ids[start + t] = seq[t];
        mask[start + t] = 1;
        positions[start + t] = t;
      }
    }
    return new PaddedBatch(rows, length, ids, mask, positions);
  }
}
