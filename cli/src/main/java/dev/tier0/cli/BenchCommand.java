package dev.tier0.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Runs a benchmark: prints a table and writes target/bench/NAME.json.",
        "NAME: engine, milvus, connector or search (see bench/run)."})
final class BenchCommand implements Callable<Integer> {
  @Parameters(paramLabel = "NAME")
  String name;

  @Override
  public Integer call() throws Exception {
    Path runner = Tier0Home.path().resolve("bench/run");
    if (!Files.isExecutable(runner)) {
      throw new IllegalStateException("bench/run is missing: run tier0 from a checkout of the repository");
    }
    return new ProcessBuilder(runner.toString(), name).directory(Tier0Home.path().toFile()).inheritIO().start().waitFor();
  }
}
