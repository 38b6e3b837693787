package dev.tier0.embed;

import java.nio.file.Path;

/** tier0's cache directory: $TIER0_CACHE, else ~/.cache/tier0. */
final class CacheRoot {
  static final String ENV = "TIER0_CACHE";

  private CacheRoot() {}

  static Path get() {
    String override = System.getenv(ENV);
    if (override != null && !override.isBlank()) {
      return Path.of(override).toAbsolutePath();
    }
    return Path.of(System.getProperty("user.home"), ".cache", "tier0");
  }
}
