package dev.tier0.embed;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Which static graph serves a batch (the contract's engine rule): the smallest {@code sequence} >= the batch's
 * longest text, then among the graphs of that sequence the smallest {@code batch} >= its rows. Batches with more
 * rows than the largest graph of their sequence are split beforehand by {@link BatchPlanner}; missing rows are
 * filled with all-pad rows by the runner. Pure lookup over the spec's {@code graphs}, no sessions.
 */
final class GraphChoice implements BatchShape {
  private final List<ModelSpec.StaticGraph> graphs; // by sequence, then batch
  private final List<Integer> sequences;

  GraphChoice(List<ModelSpec.StaticGraph> graphs) {
    if (graphs.isEmpty()) {
      throw new IllegalArgumentException("no static graphs to choose from");
    }
    List<ModelSpec.StaticGraph> sorted = new ArrayList<>(graphs);
    sorted.sort(Comparator.comparingInt(ModelSpec.StaticGraph::sequence).thenComparingInt(ModelSpec.StaticGraph::batch));
    this.graphs = List.copyOf(sorted);
    TreeSet<Integer> s = new TreeSet<>();
    graphs.forEach(g -> s.add(g.sequence()));
    this.sequences = List.copyOf(s);
  }

  /** The longest sequence any graph takes: texts are truncated to it (the spec's max_length). */
  int maxSequence() {
    return sequences.get(sequences.size() - 1);
  }

  /**
   * The graph for {@code rows} texts whose longest has {@code longest} tokens.
   * @throws IllegalArgumentException when longest exceeds every sequence or rows exceed every graph of that
   *     sequence (the planner never asks for either)
   */
  ModelSpec.StaticGraph pick(int rows, int longest) {
    int sequence = paddedLength(longest);
    return find(rows, sequence).orElseThrow(() -> new IllegalArgumentException(rows + " rows exceed the largest "
        + "graph batch at sequence " + sequence + " (" + largestBatch(sequence) + ")"));
  }

  /** The largest batch size among the graphs of this sequence length. */
  int largestBatch(int sequence) {
    return graphs.stream().filter(g -> g.sequence() == sequence).mapToInt(ModelSpec.StaticGraph::batch).max()
        .orElseThrow(() -> new IllegalArgumentException("no graph has sequence " + sequence));
  }

  @Override
  public int paddedLength(int longest) {
    for (int s : sequences) {
      if (s >= longest) {
        return s;
      }
    }
    throw new IllegalArgumentException("sequence of " + longest + " tokens exceeds the longest graph sequence "
        + maxSequence());
  }

  @Override
  public int tensorRows(int rows, int paddedLength) {
    return find(rows, paddedLength).map(ModelSpec.StaticGraph::batch).orElse(-1);
  }

  @Override
  public boolean oneLengthPerBatch() {
    return true;
  }

  private Optional<ModelSpec.StaticGraph> find(int rows, int sequence) {
    return graphs.stream().filter(g -> g.sequence() == sequence && g.batch() >= rows).findFirst();
  }
}
