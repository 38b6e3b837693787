package dev.tier0.embed;

import ai.onnxruntime.OrtEnvironment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns one model: its graph runner ({@link DynamicGraph} for a single-graph directory, {@link StaticGraphSet} for a
 * multi-graph one), the tokenizer, batching and MRL. Thread-safe (ORT sessions and the tokenizer may be used
 * concurrently). Created and closed by {@link SharedModels}; callers hold handles, not this.
 */
final class OnnxEmbeddingEngine implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OnnxEmbeddingEngine.class);
  /** Texts tokenised and length-sorted together; larger inputs are processed chunk by chunk. */
  static final int TOKENIZE_CHUNK = 4096;

  private final ModelSpec spec;
  private final EngineOptions options;
  private final TextTokenizer tokenizer;
  private final GraphRunner runner;
  private final GraphRuns graphRuns = new GraphRuns();
  private final ConcurrentRuns concurrentRuns;
  /** Batch token cap: the budget, or in throughput mode its share per run, so every run can be in flight at once. */
  private final int batchTokens;

  OnnxEmbeddingEngine(Path modelDir, EngineOptions options) {
    this.spec = ModelSpec.read(modelDir);
    this.options = options;
    OrtEnvironment env = OrtEnvironments.get();
    this.runner = spec.multiGraph()
        ? new StaticGraphSet(spec, modelDir, options, env, graphRuns)
        : new DynamicGraph(spec, modelDir, options, env, graphRuns);
    int runs = options.effectiveRuns(Runtime.getRuntime().availableProcessors());
    this.batchTokens = Math.max(1, options.batchMaxTokens() / runs);
    try {
      this.tokenizer = new TextTokenizer(modelDir.resolve(spec.tokenizerFile()), spec.maxLength(), spec.padTokenId());
    } catch (RuntimeException e) {
      try {
        runner.close();
      } catch (RuntimeException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
    this.concurrentRuns = new ConcurrentRuns(runs, options.batchMaxTokens(), spec.name());
    if (runs > 1) {
      LOG.info("throughput mode: {} runs at once over one session, {} intra-op thread(s) each, batches of at most "
          + "{} records and {} padded tokens", runs,
          options.effectiveIntraOpThreads(Runtime.getRuntime().availableProcessors()),
          options.effectiveBatchMaxRecords(), batchTokens);
    }
    if (spec.multiGraph()) {
      LOG.info("loaded model {} from {} on {} (dimension {}, {} static graphs, sequences {}, pooled in {})", spec.name(),
          modelDir, runner.provider(), spec.outputDimension(), spec.graphs().size(), spec.buckets(),
          spec.pooledOutput() == null ? "Java" : "the graph");
    } else {
      LOG.info("loaded model {} from {} on {} (dimension {}, max_length {}, padding {})", spec.name(), modelDir,
          runner.provider(), spec.outputDimension(), spec.maxLength(),
          DynamicGraph.effectivePadding(spec, runner.provider()).name().toLowerCase());
    }
  }

  ModelSpec spec() {
    return spec;
  }

  ExecutionProvider provider() {
    return runner.provider();
  }

  /** ORT runs per graph file since load (warm-up runs not counted). */
  Map<String, Long> graphRuns() {
    return graphRuns.runs();
  }

  /** Texts embedded per graph file since load (fill rows not counted). */
  Map<String, Long> graphRows() {
    return graphRuns.rows();
  }

  List<Embedding> embedDocuments(List<String> texts) {
    List<Embedding> out = new ArrayList<>(texts.size());
    // texts are tokenised and sorted a chunk at a time, so token ids in memory stay bounded for any input size
    for (int start = 0; start < texts.size(); start += TOKENIZE_CHUNK) {
      List<String> part = texts.subList(start, Math.min(texts.size(), start + TOKENIZE_CHUNK));
      out.addAll(embedTokenized(tokenizer.encode(part)));
    }
    return out;
  }

  /** Like {@link #embedDocuments} on the passages' texts; ids this engine's tokenizer made when cutting are reused. */
  List<Embedding> embedPassages(List<Passage> passages) {
    List<Embedding> out = new ArrayList<>(passages.size());
    for (int start = 0; start < passages.size(); start += TOKENIZE_CHUNK) {
      List<Passage> part = passages.subList(start, Math.min(passages.size(), start + TOKENIZE_CHUNK));
      List<TokenizedText> tokenized = new ArrayList<>(part.size());
      List<String> missing = new ArrayList<>();
      for (Passage p : part) {
        TokenizedText t = p.tokensFor(tokenizer);
        tokenized.add(t);
        if (t == null) {
          missing.add(p.text());
        }
      }
      if (!missing.isEmpty()) {
        // the rest are tokenised in one batch call, as embedDocuments does
        List<TokenizedText> encoded = tokenizer.encode(missing);
        for (int i = 0, m = 0; i < tokenized.size(); i++) {
          if (tokenized.get(i) == null) {
            tokenized.set(i, encoded.get(m++));
          }
        }
      }
      out.addAll(embedTokenized(tokenized));
    }
    return out;
  }

  private List<Embedding> embedTokenized(List<TokenizedText> tokenized) {
    int[] lengths = new int[tokenized.size()];
    for (int i = 0; i < lengths.length; i++) {
      lengths[i] = tokenizer.modelIds(tokenized.get(i)).length;
    }
    Embedding[] out = new Embedding[tokenized.size()];
    BatchShape shape = runner.shape();
    List<int[]> plan = BatchPlanner.plan(lengths, options.effectiveBatchMaxRecords(), batchTokens, shape);
    // each batch writes only its own indices of out; runAll returns after every run, which publishes the writes
    concurrentRuns.runAll(plan.size(), b -> paddedTokens(plan.get(b), lengths, shape), b -> {
      int[] batch = plan.get(b);
      List<long[]> ids = new ArrayList<>(batch.length);
      for (int index : batch) {
        ids.add(tokenizer.modelIds(tokenized.get(index)));
      }
      float[][] vectors = runner.run(ids);
      for (int r = 0; r < batch.length; r++) {
        TokenizedText t = tokenized.get(batch[r]);
        float[] v = spec.mrlDimension() != null ? Pooler.truncate(vectors[r], spec.mrlDimension()) : vectors[r];
        out[batch[r]] = new Embedding(v, t.length(), t.truncated());
      }
    });
    return Arrays.asList(out);
  }

  /** Padded tokens of a planned batch's run (tensor rows x padded length, fill rows included). */
  private static int paddedTokens(int[] batch, int[] lengths, BatchShape shape) {
    int longest = 0;
    for (int index : batch) {
      longest = Math.max(longest, lengths[index]);
    }
    int padded = shape.paddedLength(longest);
    int rows = shape.tensorRows(batch.length, padded);
    long tokens = (long) Math.max(rows, batch.length) * padded;
    return (int) Math.min(Integer.MAX_VALUE, tokens);
  }

  /** The tokenizer whose ids passages carry (a test hook: which passages the engine will not tokenise again). */
  TextTokenizer tokenizer() {
    return tokenizer;
  }

  /** Padded tokens not held by a batch in flight (the whole budget when idle); a test hook for the budget. */
  int freeTokens() {
    return concurrentRuns.freeTokens();
  }

  /** True once close() has stopped throughput mode's threads (always true in latency mode, which has none). */
  boolean runThreadsStopped() {
    return concurrentRuns.stopped();
  }

  Embedding embedQuery(String query) {
    return embedDocuments(List.of(spec.formatQuery(query))).get(0);
  }

  int countTokens(String text) {
    return tokenizer.countTokens(text);
  }

  List<Passage> passages(String text, int maxTokens, int overlapTokens) {
    int limit = maxTokens <= 0 ? spec.maxLength() : Math.min(maxTokens, spec.maxLength());
    int window = limit - tokenizer.specialTokenCount();
    if (window < 1) {
      throw new IllegalArgumentException("a chunk of " + limit + " tokens leaves no room for text next to the "
          + tokenizer.specialTokenCount() + " special tokens of " + spec.name());
    }
    // one tokenizer pass gives the spans to cut by and, for a text that is one passage, the ids the model reads
    TextTokenizer.Spanned spanned = tokenizer.spanned(text);
    int[] starts = spanned.starts();
    int[] ends = spanned.ends();
    if (starts.length <= window) {
      return List.of(Passage.tokenized(text, new TextSpan(0, text.length()), spanned.whole(), tokenizer));
    }
    // A passage re-tokenised on its own can take a token or two more than its share of the whole text's tokens
    // (byte-level BPE merges across the cut). Each window is counted again, and the cut redone a little tighter
    // when one would be truncated by the model; the count's ids are the ones the model reads.
    for (int attempt = 0; ; attempt++) {
      List<Passage> out = new ArrayList<>();
      int over = 0;
      for (int[] w : TokenWindows.cut(text, starts, ends, window, overlapTokens)) {
        TextSpan span = new TextSpan(starts[w[0]], ends[w[1] - 1]);
        TokenizedText whole = tokenizer.encodeWhole(span.of(text));
        over = Math.max(over, whole.length() - limit);
        out.add(Passage.tokenized(text, span, tokenizer.fitting(whole), tokenizer));
      }
      if (over <= 0 || attempt == 3 || window - over < 1) {
        return out;
      }
      window -= over;
    }
  }

  @Override
  public void close() {
    try {
      concurrentRuns.close();
    } finally {
      try {
        tokenizer.close();
      } finally {
        runner.close();
      }
    }
  }
}
