package dev.tier0.embed.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's peak resident set (VmHWM, Linux). {@link #reset()} writes 5 to /proc/self/clear_refs, which resets
 * the high-water mark, so each benchmark row gets its own peak within one JVM.
 */
final class PeakRss {
  private PeakRss() {}

  static boolean reset() {
    try {
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
      return true;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  /** Peak RSS in MiB, or -1 where /proc is unavailable. */
  static double mib() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException e) {
      return -1;
    }
    return -1;
  }
}
