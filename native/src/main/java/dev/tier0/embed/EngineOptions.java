package dev.tier0.embed;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How a model is run. Immutable; equal options share one loaded model in {@link SharedModels}.
 * Defaults: provider AUTO, not strict, ORT's default intra-op threads, CoreML compute units ALL, CoreML cache
 * under the model directory, batches of the mode's size ({@link #effectiveBatchMaxRecords()}: 32 records in latency
 * mode, 16 in throughput mode) and at most 8192 padded tokens, weights shared between the static graphs of a
 * multi-graph directory, latency mode (one run at a time per call).
 */
public final class EngineOptions {
  private final ExecutionProvider provider;
  private final boolean strict;
  private final int intraOpThreads;
  private final CoreMlComputeUnits coreMlComputeUnits;
  private final Path coreMlCacheDir;
  private final int batchMaxRecords;
  private final int batchMaxTokens;
  private final boolean shareWeights;
  private final EngineMode mode;
  private final int concurrentRuns;

  private EngineOptions(Builder b) {
    this.provider = b.provider;
    this.strict = b.strict;
    this.intraOpThreads = b.intraOpThreads;
    this.coreMlComputeUnits = b.coreMlComputeUnits;
    this.coreMlCacheDir = b.coreMlCacheDir;
    this.batchMaxRecords = b.batchMaxRecords;
    this.batchMaxTokens = b.batchMaxTokens;
    this.shareWeights = b.shareWeights;
    this.mode = b.mode;
    this.concurrentRuns = b.concurrentRuns;
  }

  public static Builder builder() {
    return new Builder();
  }

  public static EngineOptions defaults() {
    return builder().build();
  }

  public Builder toBuilder() {
    return new Builder().provider(provider).strict(strict).intraOpThreads(intraOpThreads)
        .coreMlComputeUnits(coreMlComputeUnits).coreMlCacheDir(coreMlCacheDir)
        .batchMaxRecords(batchMaxRecords).batchMaxTokens(batchMaxTokens).shareWeights(shareWeights)
        .mode(mode).concurrentRuns(concurrentRuns);
  }

  public ExecutionProvider provider() { return provider; }

  /** When true a requested provider that cannot be used is an error instead of a warning and CPU. */
  public boolean strict() { return strict; }

  /** ORT intra-op threads; 0 = ORT's default. */
  public int intraOpThreads() { return intraOpThreads; }

  public CoreMlComputeUnits coreMlComputeUnits() { return coreMlComputeUnits; }

  /** Where CoreML keeps compiled models across restarts; null = {@code <model dir>/.coreml-cache}. */
  public Path coreMlCacheDir() { return coreMlCacheDir; }

  /** Most records in one ORT run as set; 0 (default) = the mode's choice, {@link #effectiveBatchMaxRecords()}. */
  public int batchMaxRecords() { return batchMaxRecords; }

  /** Latency mode's batch when {@link #batchMaxRecords()} is 0: one run over every core. */
  public static final int LATENCY_BATCH_RECORDS = 32;

  /**
   * Throughput mode's batch per run when {@link #batchMaxRecords()} is 0, chosen by measurement: on MiniLM, 2 cores,
   * 2 runs of 16 embedded 1.04-1.05x the sentences a second of 2 runs of 32, where one 2-thread run gained 3 % and
   * Python ORT none (bench/README.md, engine). Each run has one core; half the rows halve a layer's working set.
   */
  public static final int THROUGHPUT_BATCH_RECORDS = 16;

  /**
   * The most records one ORT run takes: {@link #batchMaxRecords()} when set, else {@link #LATENCY_BATCH_RECORDS} in
   * latency mode and {@link #THROUGHPUT_BATCH_RECORDS} in throughput mode. A static-shape graph set still caps it at
   * its largest batch.
   */
  public int effectiveBatchMaxRecords() {
    if (batchMaxRecords > 0) {
      return batchMaxRecords;
    }
    return mode == EngineMode.THROUGHPUT ? THROUGHPUT_BATCH_RECORDS : LATENCY_BATCH_RECORDS;
  }

  /** Upper bound on padded tokens (rows x padded length) per ORT run: bounds the tensors' memory. */
  public int batchMaxTokens() { return batchMaxTokens; }

  /**
   * Multi-graph directories only: true (default) = every static graph's session uses one memory-mapped copy of
   * the shared weights, with ORT's weight pre-packing off (a pre-packed copy would be per session again); false =
   * each session loads and pre-packs its own copy (the weights counted once per graph, a few percent faster on the
   * CPU provider). Measured figures: native/README.md, "Memory".
   */
  public boolean shareWeights() { return shareWeights; }

  /** {@link EngineMode#LATENCY} (default) or {@link EngineMode#THROUGHPUT}; see {@link EngineMode}. */
  public EngineMode mode() { return mode; }

  /** Throughput mode: ORT runs in flight at once per model; 0 (default) = one per core. Ignored in latency mode. */
  public int concurrentRuns() { return concurrentRuns; }

  /**
   * The runs in flight this engine actually allows: 1 in latency mode; in throughput mode {@link #concurrentRuns()},
   * or {@code cores} when that is 0.
   */
  public int effectiveRuns(int cores) {
    if (mode == EngineMode.LATENCY) {
      return 1;
    }
    return concurrentRuns > 0 ? concurrentRuns : Math.max(1, cores);
  }

  /**
   * The session's intra-op threads: {@link #intraOpThreads()} when set; else ORT's default (0) in latency mode, and
   * in throughput mode the cores divided among the runs (at least 1), so N runs x threads do not oversubscribe.
   */
  public int effectiveIntraOpThreads(int cores) {
    if (intraOpThreads > 0 || mode == EngineMode.LATENCY) {
      return intraOpThreads;
    }
    return Math.max(1, cores / effectiveRuns(cores));
  }

  /**
   * Equal options share one loaded model ({@link SharedModels}), so the batch compares as it runs
   * ({@link #effectiveBatchMaxRecords()}): 0 and 32 in latency mode are one model, not two loads.
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof EngineOptions other
        && provider == other.provider && strict == other.strict && intraOpThreads == other.intraOpThreads
        && coreMlComputeUnits == other.coreMlComputeUnits && Objects.equals(coreMlCacheDir, other.coreMlCacheDir)
        && effectiveBatchMaxRecords() == other.effectiveBatchMaxRecords() && batchMaxTokens == other.batchMaxTokens
        && shareWeights == other.shareWeights && mode == other.mode && concurrentRuns == other.concurrentRuns;
  }

  @Override
  public int hashCode() {
    return Objects.hash(provider, strict, intraOpThreads, coreMlComputeUnits, coreMlCacheDir,
        effectiveBatchMaxRecords(), batchMaxTokens, shareWeights, mode, concurrentRuns);
  }

  @Override
  public String toString() {
    return "EngineOptions{provider=" + provider + ", strict=" + strict + ", intraOpThreads=" + intraOpThreads
        + ", coreMlComputeUnits=" + coreMlComputeUnits + ", coreMlCacheDir=" + coreMlCacheDir
        + ", batchMaxRecords=" + batchMaxRecords + ", batchMaxTokens=" + batchMaxTokens + ", shareWeights=" + shareWeights + ", mode=" + mode + ", concurrentRuns=" + concurrentRuns + "}";
  }

  public static final class Builder {
    private ExecutionProvider provider = ExecutionProvider.AUTO;
    private boolean strict;
    private int intraOpThreads;
    private CoreMlComputeUnits coreMlComputeUnits = CoreMlComputeUnits.ALL;
    private Path coreMlCacheDir;
    private int batchMaxRecords;
    private int batchMaxTokens = 8192;
    private boolean shareWeights = true;
    private EngineMode mode = EngineMode.LATENCY;
    private int concurrentRuns;

    private Builder() {}

    public Builder provider(ExecutionProvider provider) {
      this.provider = Objects.requireNonNull(provider, "provider");
      return this;
    }

    public Builder strict(boolean strict) {
      this.strict = strict;
      return this;
    }

    public Builder intraOpThreads(int threads) {
      if (threads < 0) {
        throw new IllegalArgumentException("intraOpThreads must be >= 0 (0 = ORT default), got " + threads);
      }
      this.intraOpThreads = threads;
      return this;
    }

    public Builder coreMlComputeUnits(CoreMlComputeUnits units) {
      this.coreMlComputeUnits = Objects.requireNonNull(units, "coreMlComputeUnits");
      return this;
    }

    public Builder coreMlCacheDir(Path dir) {
      this.coreMlCacheDir = dir == null ? null : dir.toAbsolutePath().normalize();
      return this;
    }

    /** See {@link EngineOptions#batchMaxRecords()}; 0 = the mode's choice. */
    public Builder batchMaxRecords(int records) {
      if (records < 0) {
        throw new IllegalArgumentException("batchMaxRecords must be >= 0 (0 = the mode's choice), got " + records);
      }
      this.batchMaxRecords = records;
      return this;
    }

    public Builder batchMaxTokens(int tokens) {
      if (tokens < 1) {
        throw new IllegalArgumentException("batchMaxTokens must be >= 1, got " + tokens);
      }
      this.batchMaxTokens = tokens;
      return this;
    }

    /** See {@link EngineOptions#shareWeights()}. */
    public Builder shareWeights(boolean share) {
      this.shareWeights = share;
      return this;
    }

    /** See {@link EngineOptions#mode()}. */
    public Builder mode(EngineMode mode) {
      this.mode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /** See {@link EngineOptions#concurrentRuns()}. */
    public Builder concurrentRuns(int runs) {
      if (runs < 0) {
        throw new IllegalArgumentException("concurrentRuns must be >= 0 (0 = one per core), got " + runs);
      }
      this.concurrentRuns = runs;
      return this;
    }

    public EngineOptions build() {
      return new EngineOptions(this);
    }
  }
}
