package dev.tier0.embed;

import java.util.Locale;

/**
 * How the engine spends its cores on a call of many texts ({@link EngineOptions#mode()}).
 * <ul>
 *   <li>{@code LATENCY}: one ORT run at a time per call, each spread over the session's intra-op threads (ORT's
 *   default: one per core). The shortest time for one batch (a search query).</li>
 *   <li>{@code THROUGHPUT}: several batches of one call run at once over the same session
 *   ({@link EngineOptions#concurrentRuns()}), each on fewer threads; more sentences per second on bulk input,
 *   results still in input order, padded tokens in flight still at most {@link EngineOptions#batchMaxTokens()}.</li>
 * </ul>
 */
public enum EngineMode {
  LATENCY,
  THROUGHPUT;

  /** "latency" or "throughput", any case. */
  public static EngineMode parse(String value) {
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("engine mode must be latency or throughput, got '" + value + "'", e);
    }
  }
}
