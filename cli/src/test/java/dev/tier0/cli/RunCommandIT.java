package dev.tier0.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's first command, in --once mode: the whole pipeline, and the sample searches' expected top hits. */
class RunCommandIT {

  @Test
  void shouldIngestTheSampleCorpusThroughTheConnectorAndAnswerTheSampleSearches(@TempDir Path data) {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    int exit;
    try (PrintStream tee = new PrintStream(new TeeStream(captured, original), true, StandardCharsets.UTF_8)) {
      System.setOut(tee);
      exit = Tier0.commandLine().execute("run", "--once", "--data-dir", data.toString(), "--provider", "cpu");
    } finally {
      System.setOut(original);
    }
    String output = captured.toString(StandardCharsets.UTF_8);
    assertThat(output).contains("All sample searches returned their expected top hit.");
    assertThat(output).doesNotContain("[MISS]");
    assertThat(SampleCorpus.searches()).allSatisfy(s -> assertThat(output).contains("[ok]   \"" + s.query() + "\""));
    assertThat(exit).isZero();
  }

  /** Prints as it goes (a long test should show progress) while keeping a copy to assert on. */
  private static final class TeeStream extends java.io.OutputStream {
    private final java.io.OutputStream a;
    private final java.io.OutputStream b;

    TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int c) throws java.io.IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws java.io.IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }
  }
}
