package dev.tier0.embed.bench;

import dev.tier0.embed.EmbeddingEngine;
import dev.tier0.embed.EngineOptions;
import dev.tier0.embed.SharedModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The physical-limit row of {@code bench/run engine}: the useful FLOP of the corpus on all-MiniLM-L6-v2 and this
 * CPU's FP32 peak, so sentences/s can be read as GFLOP/s against what the cores can do.
 *
 * <p>FLOP of one sentence of n real tokens (padding not counted: it is work, but not useful work), MiniLM-L6:
 * L = 6 layers, hidden H = 384, feed-forward F = 1536 (the model's config). Per token and layer the matrix
 * multiplications are Q, K, V and the output projection (4 H x H) and the two feed-forward ones (2 H x F), 2 FLOP
 * per multiply-add: 2 (4 H^2 + 2 H F) = 3.54 MFLOP, so 21.2 MFLOP per token for 6 layers. Attention adds
 * Q K^T and the weighted sum of V, 2 n^2 H multiply-adds per layer, i.e. 4 n^2 H FLOP. Embedding lookup, layer norm,
 * softmax, GELU and pooling are O(n H) and left out.
 *
 * <p>Peak = cores x clock x FP32 FLOP per cycle per core. The clock is {@code cpu MHz} of /proc/cpuinfo (lscpu's
 * MHz when it has one; a VM often reports the base clock, and boost can exceed it). FLOP per cycle from the CPU:
 * AMD family 25 (Zen 3 / Zen 4) 32 (two 256-bit FMA pipes x 8 floats x 2; Zen 4 runs AVX-512 on them in two halves),
 * AMD family 26 (Zen 5) and Intel with AVX-512 64 (two 512-bit FMA units; some Intel parts have one), other AVX2 + FMA
 * 32, else 16.
 */
final class PhysicalLimit {
  static final int LAYERS = 6;
  static final int HIDDEN = 384;
  static final int FEED_FORWARD = 1536;

  final long tokens;
  final double flop;
  final int cores;
  final double mhz;
  final int flopPerCycle;
  final String cpu;

  private PhysicalLimit(long tokens, double flop, int cores, double mhz, int flopPerCycle, String cpu) {
    this.tokens = tokens;
    this.flop = flop;
    this.cores = cores;
    this.mhz = mhz;
    this.flopPerCycle = flopPerCycle;
    this.cpu = cpu;
  }

  /** Counts the corpus's tokens with the model's own tokenizer (truncated at its max_length, as embedded). */
  static PhysicalLimit of(Path minilm, List<String> sentences) throws IOException {
    long tokens = 0;
    double flop = 0;
    try (EmbeddingEngine engine = SharedModels.acquire(minilm, EngineOptions.defaults())) {
      int max = engine.spec().maxLength();
      for (String s : sentences) {
        long n = Math.min(engine.countTokens(s), max);
        tokens += n;
        flop += n * LAYERS * 2.0 * (4.0 * HIDDEN * HIDDEN + 2.0 * HIDDEN * FEED_FORWARD)
            + LAYERS * 4.0 * n * n * HIDDEN;
      }
    }
    String info = Files.isReadable(Path.of("/proc/cpuinfo")) ? Files.readString(Path.of("/proc/cpuinfo")) : "";
    String vendor = field(info, "vendor_id");
    String family = field(info, "cpu family");
    String flags = " " + field(info, "flags") + " ";
    double mhz = parse(field(info, "cpu MHz"));
    int perCycle;
    String simd;
    if (vendor.equals("AuthenticAMD") && family.equals("25")) {
      perCycle = 32;
      simd = "AMD family 25 (Zen 3/4): 2 x 256-bit FMA" + (flags.contains(" avx512f ") ? ", AVX-512 double-pumped" : "");
    } else if ((vendor.equals("AuthenticAMD") && family.equals("26")) || flags.contains(" avx512f ")) {
      perCycle = 64;
      simd = "AVX-512, 2 x 512-bit FMA";
    } else if (flags.contains(" avx2 ") && flags.contains(" fma ")) {
      perCycle = 32;
      simd = "AVX2, 2 x 256-bit FMA";
    } else {
      perCycle = 16;
      simd = "SSE";
    }
    return new PhysicalLimit(tokens, flop, Runtime.getRuntime().availableProcessors(), mhz, perCycle,
        field(info, "model name") + ", " + simd);
  }

  double peakGflops() {
    return cores * mhz / 1000 * flopPerCycle;
  }

  /** GFLOP/s achieved at {@code sps} sentences/s over this corpus of {@code sentences}. */
  double gflops(double sps, int sentences) {
    return flop / sentences * sps / 1e9;
  }

  Map<String, Object> describe(int sentences) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("tokens", tokens);
    m.put("tokens_per_sentence", EngineBenchmark.round((double) tokens / sentences));
    m.put("mflop_per_token", EngineBenchmark.round(flop / tokens / 1e6));
    m.put("flop_per_token_how", "MiniLM-L6 (6 layers, H 384, FFN 1536): 2(4H^2 + 2H*FFN) per token and layer for "
        + "the matrix products, + 4 n^2 H per sentence and layer for attention; real tokens only");
    m.put("cpu", cpu);
    m.put("cores", cores);
    m.put("clock_mhz", mhz);
    m.put("fp32_flop_per_cycle_per_core", flopPerCycle);
    m.put("peak_gflops", EngineBenchmark.round(peakGflops()));
    m.put("peak_how", "cores x /proc/cpuinfo cpu MHz x FP32 FLOP/cycle; boost clocks can exceed it");
    return m;
  }

  private static String field(String cpuinfo, String name) {
    for (String line : cpuinfo.split("\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equals(name)) {
        return line.substring(colon + 1).trim();
      }
    }
    return "";
  }

  private static double parse(String s) {
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }
}
