package dev.tier0.embed;

import java.util.List;

/**
 * Runs batches of token ids on a model's graph(s): {@link DynamicGraph} for a single-graph directory,
 * {@link StaticGraphSet} for a multi-graph (CoreML-target) one. Thread-safe.
 */
interface GraphRunner extends AutoCloseable {
  /** How {@link BatchPlanner} must cut batches for this runner. */
  BatchShape shape();

  /** The provider the session(s) actually run on. */
  ExecutionProvider provider();

  /**
   * Embeds one planned batch.
   * @param ids one non-empty token-id array per row, each at most max_length long, right or left padded later
   * @return one L2-normalised vector of the spec's {@code dimension} per row, in row order (before MRL)
   */
  float[][] run(List<long[]> ids);

  @Override
  void close();
}
