package dev.tier0.streams.search;

import dev.tier0.memory.MappingConfig;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a request may ask for.
 *
 * @param defaultTopK     used when the request has no top_k
 * @param maxTopK         the bound on top_k: a search is never unbounded
 * @param maxQueryBytes   longer queries are refused rather than silently truncated by the tokenizer's max_length
 * @param defaultTenant   searched when the request names no tenant: a search always runs inside one tenant
 * @param filterKeys      allowed filter keys; empty = any key matching {@link #FILTER_KEY}
 */
public record SearchLimits(int defaultTopK, int maxTopK, int maxQueryBytes, String defaultTenant,
                           Set<String> filterKeys) {
  /** Metadata keys that can be filtered on: plain identifiers, so no key can smuggle an expression. */
  public static final Pattern FILTER_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");

  public SearchLimits {
    if (maxTopK < 1) {
      throw new IllegalArgumentException("search.top.k.max must be >= 1, was " + maxTopK);
    }
    if (defaultTopK < 1 || defaultTopK > maxTopK) {
      throw new IllegalArgumentException("default top_k " + defaultTopK + " must be in [1, " + maxTopK + "]");
    }
    if (maxQueryBytes < 1) {
      throw new IllegalArgumentException("search.query.max.bytes must be >= 1, was " + maxQueryBytes);
    }
    Objects.requireNonNull(defaultTenant, "defaultTenant");
    filterKeys = filterKeys == null ? Set.of() : Set.copyOf(filterKeys);
    for (String key : filterKeys) {
      if (!FILTER_KEY.matcher(key).matches()) {
        throw new IllegalArgumentException("filter key '" + key + "' must match " + FILTER_KEY.pattern());
      }
    }
  }

  public static SearchLimits defaults() {
    return new SearchLimits(5, 100, 8192, MappingConfig.defaults().defaultTenant(), Set.of());
  }
}
