package dev.tier0.embed;

/**
 * What {@link BatchPlanner} needs to know of the graph(s) a batch runs on: the padded length of a batch and the
 * rows of the tensor it runs as. {@link PadLength} for a single dynamic-batch graph, {@link GraphChoice} for a
 * directory of static-shape graphs.
 */
interface BatchShape {
  /** The padded sequence length of a batch whose longest text has {@code longest} tokens (1..max_length). */
  int paddedLength(int longest);

  /**
   * The rows of the tensor that one run of {@code rows} texts padded to {@code paddedLength} takes: {@code rows}
   * for a dynamic batch, the chosen graph's batch size for static graphs (the rest are fill rows), or -1 when no
   * single run takes that many rows at that length.
   */
  int tensorRows(int rows, int paddedLength);

  /**
   * True when a batch should never mix sequence buckets: with static graphs every fill row costs a whole padded
   * sequence, so moving short texts into a longer bucket's run costs more than a second, shorter run.
   */
  boolean oneLengthPerBatch();
}
