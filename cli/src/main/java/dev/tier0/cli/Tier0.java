package dev.tier0.cli;

import dev.tier0.streams.search.SearchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The tier0 command-line tool. Every command has --help; errors are printed in plain words with the fix. */
@Command(name = "tier0", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = "Streaming memory for Kafka: embed text records in-process, store them in Milvus, search them.",
    subcommands = {RunCommand.class, IngestCommand.class, DeleteCommand.class, SearchCommand.class, ExportModelCommand.class,
        BenchCommand.class, CommandLine.HelpCommand.class})
public final class Tier0 {

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    return new CommandLine(new Tier0())
        .setExecutionExceptionHandler((e, cmd, parsed) -> {
          cmd.getErr().println(cmd.getColorScheme().errorText("tier0: " + PlainErrors.describe(e)));
          return 1;
        });
  }
}
