package dev.tier0.cli;

import java.io.PrintStream;
import java.util.Locale;

/** A one-line terminal progress bar; on a non-terminal (CI logs) it prints a line per 10 % instead of redrawing. */
final class ProgressBar implements AutoCloseable {
  private static final int WIDTH = 30;
  private final PrintStream out;
  private final String label;
  private final long total;
  private final boolean interactive = System.console() != null;
  private final long startNanos = System.nanoTime();
  private long done;
  private int lastDecile = -1;

  ProgressBar(PrintStream out, String label, long total) {
    this.out = out;
    this.label = label;
    this.total = Math.max(1, total);
    render();
  }

  synchronized void set(long value) {
    done = Math.min(total, value);
    render();
  }

  synchronized void step(long by) {
    set(done + by);
  }

  private void render() {
    int filled = (int) (WIDTH * done / total);
    String line = String.format(Locale.ROOT, "%-28s [%s%s] %d/%d %.1fs", label, "#".repeat(filled),
        " ".repeat(WIDTH - filled), done, total, (System.nanoTime() - startNanos) / 1e9);
    if (interactive) {
      out.print("\r" + line);
      out.flush();
    } else {
      int decile = (int) (10 * done / total);
      if (decile != lastDecile) {
        lastDecile = decile;
        out.println(line);
      }
    }
  }

  @Override
  public synchronized void close() {
    if (interactive) {
      out.println();
    }
  }
}
