package dev.tier0.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "ingest", mixinStandardHelpOptions = true,
    description = {"Writes memories from a file to the ingest topic, with progress.",
        "JSONL lines are sent as they are (key = their id field); plain text lines become",
        "{\"id\": <content hash>, \"text\": line}, so ingesting a file twice does not duplicate."})
final class IngestCommand implements Callable<Integer> {
  @Parameters(paramLabel = "FILE", description = "text lines or JSON lines")
  Path file;

  @Option(names = {"-b", "--bootstrap-servers"}, defaultValue = "localhost:9092", description = "Kafka (default: ${DEFAULT-VALUE})")
  String bootstrapServers;

  @Option(names = {"-t", "--topic"}, defaultValue = "memories", description = "ingest topic (default: ${DEFAULT-VALUE})")
  String topic;

  @Option(names = "--id-field", defaultValue = "id", description = "id field of JSON lines (default: ${DEFAULT-VALUE})")
  String idField;

  @Override
  public Integer call() throws IOException {
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException("cannot read " + file + ": give a file of text lines or JSON lines");
    }
    List<Ingestor.Outgoing> records = Files.readAllLines(file, StandardCharsets.UTF_8).stream()
        .filter(line -> !line.isBlank())
        .map(line -> Ingestor.fromLine(line, idField))
        .toList();
    try (ProgressBar progress = new ProgressBar(System.out, "ingest " + file.getFileName(), records.size())) {
      Ingestor.produce(bootstrapServers, topic, records, progress);
    }
    System.out.printf("%d memories written to topic %s at %s%n", records.size(), topic, bootstrapServers);
    return 0;
  }
}
