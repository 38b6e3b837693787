package dev.tier0.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

@Command(name = "export-model", mixinStandardHelpOptions = true,
    description = {"Exports a Hugging Face model to an ONNX model directory with its last N hidden states as outputs.",
        "Wraps native/export/tier0-export (Python: torch + transformers in its own virtualenv).",
        "Example: tier0 export-model export --model Qwen/Qwen3-Embedding-4B --dtype float16 --last-n 4 --out DIR",
        "Run 'tier0 export-model --help-tool' for the tool's own commands."})
final class ExportModelCommand implements Callable<Integer> {
  @Unmatched
  List<String> toolArgs = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    Path tool = Tier0Home.path().resolve("native/export/tier0-export");
    if (!Files.isExecutable(tool)) {
      throw new IllegalStateException("the export tool " + tool + " is missing: run tier0 from a checkout of the repository");
    }
    List<String> command = new ArrayList<>(List.of(tool.toString()));
    command.addAll(toolArgs.stream().map(a -> a.equals("--help-tool") ? "--help" : a).toList());
    return new ProcessBuilder(command).inheritIO().start().waitFor();
  }
}
