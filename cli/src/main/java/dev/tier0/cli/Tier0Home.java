package dev.tier0.cli;

import java.nio.file.Path;

/** The repository root: where the export tool, bench/run and the local data directory live. */
final class Tier0Home {
  private Tier0Home() {}

  static Path path() {
    String home = System.getProperty("tier0.home", System.getenv().getOrDefault("TIER0_HOME", "."));
    return Path.of(home).toAbsolutePath().normalize();
  }
}
