package dev.tier0.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tier0 delete ID...}: a tombstone (key = the memory id, null value) per id on the ingest topic, the delete
 * both runtimes act on (delete.on.tombstone, default true): every passage of each memory is removed. Without it a
 * user of the CLI could write and search memories but needed other Kafka tooling to delete one.
 */
@Command(name = "delete", mixinStandardHelpOptions = true,
    description = {"Deletes memories by id: writes a tombstone (the id as key, a null value) for each to the",
        "ingest topic; the sink and the streams app then remove every passage of that memory."})
final class DeleteCommand implements Callable<Integer> {
  @Parameters(paramLabel = "ID", arity = "1..*", description = "memory ids (the record keys they were written with)")
  List<String> ids;

  @Option(names = {"-b", "--bootstrap-servers"}, defaultValue = "localhost:9092", description = "Kafka (default: ${DEFAULT-VALUE})")
  String bootstrapServers;

  @Option(names = {"-t", "--topic"}, defaultValue = "memories", description = "ingest topic (default: ${DEFAULT-VALUE})")
  String topic;

  @Override
  public Integer call() {
    List<Ingestor.Outgoing> tombstones = ids.stream().map(Ingestor::tombstone).toList();
    try (ProgressBar progress = new ProgressBar(System.out, "delete", tombstones.size())) {
      Ingestor.produce(bootstrapServers, topic, tombstones, progress);
    }
    System.out.printf("%d tombstones written to topic %s at %s%n", tombstones.size(), topic, bootstrapServers);
    return 0;
  }
}
