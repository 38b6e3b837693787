package dev.tier0.cli;

import dev.tier0.cli.SampleCorpus.SampleSearch;
import dev.tier0.streams.search.SearchClient;
import dev.tier0.streams.search.SearchHit;
import dev.tier0.streams.search.SearchReply;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Runs the whole pipeline on the embedded default: an in-process KRaft broker, Milvus Lite,",
        "a Connect worker with the tier0 sink, and the streams app; ingests the bundled sample memories",
        "through the connector, sends sample searches through the request topic and prints the hits.",
        "Then it stays up for your own searches (Ctrl-D or Ctrl-C to stop), or exits with --once."})
final class RunCommand implements Callable<Integer> {
  @Option(names = "--once", description = "exit after the sample searches (exit code 1 if a top hit is not the expected one)")
  boolean once;

  @Option(names = "--model-dir", description = "a model directory (model.onnx, tokenizer.json, tier0-model.json); default: the bundled all-MiniLM-L6-v2")
  Path modelDir;

  @Option(names = "--data-dir", description = "where Kafka and Milvus keep their data (default: .tier0/run in the repository)")
  Path dataDir;

  @Option(names = "--fresh", description = "delete the data directory first")
  boolean fresh;

  @Option(names = "--provider", defaultValue = "auto", description = "execution provider: auto, cpu, cuda, coreml (default: ${DEFAULT-VALUE})")
  String provider;

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    Path data = dataDir != null ? dataDir : Tier0Home.path().resolve(".tier0/run");
    LocalPipeline.Settings settings = new LocalPipeline.Settings(data, fresh, modelDir, provider,
        Tier0Home.path().resolve("connector/target/plugin"));
    try (LocalPipeline pipeline = LocalPipeline.start(settings, out)) {
      Runtime.getRuntime().addShutdownHook(new Thread(pipeline::close, "tier0-run-shutdown"));
      pipeline.ingest(SampleCorpus.memories());
      int misses = sampleSearches(pipeline, out);
      out.println();
      out.println("Data lives in " + data.toAbsolutePath() + " (Kafka: kafka/, Milvus Lite: milvus/).");
      out.println("Kafka: " + pipeline.bootstrapServers() + "   Milvus: " + pipeline.milvusUri()
          + "   Connect REST: " + pipeline.connectRestUrl());
      if (once) {
        out.println(misses == 0 ? "All sample searches returned their expected top hit."
            : misses + " sample search(es) missed their expected top hit.");
        return misses == 0 ? 0 : 1;
      }
      out.println("Type a query and press Enter (':tenant NAME' switches tenant; Ctrl-D or Ctrl-C stops tier0"
          + " and keeps the data; --fresh starts over).");
      interactive(pipeline, out);
      return 0;
    }
  }

  private static int sampleSearches(LocalPipeline pipeline, PrintStream out) throws Exception {
    out.println();
    out.println("Sample searches through the request topic:");
    int misses = 0;
    for (SampleSearch sample : SampleCorpus.searches()) {
      SearchReply reply = pipeline.search(SearchClient.Query.of(sample.query()).tenant(sample.tenant()).topK(3));
      boolean hit = reply instanceof SearchReply.Hits hits && !hits.hits().isEmpty()
          && hits.hits().get(0).id().equals(sample.expectedTopId());
      misses += hit ? 0 : 1;
      out.printf(Locale.ROOT, "%n%s \"%s\" (tenant %s, expected %s)%n", hit ? "[ok]  " : "[MISS]", sample.query(),
          sample.tenant(), sample.expectedTopId());
      print(reply, out);
    }
    return misses;
  }

  private static void interactive(LocalPipeline pipeline, PrintStream out) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String tenant = "alice";
    out.print("search (" + tenant + ")> ");
    out.flush();
    for (String line; (line = in.readLine()) != null; ) {
      line = line.strip();
      if (line.startsWith(":tenant ")) {
        tenant = line.substring(8).strip();
      } else if (!line.isEmpty()) {
        print(pipeline.search(SearchClient.Query.of(line).tenant(tenant).topK(5)), out);
      }
      out.print("search (" + tenant + ")> ");
      out.flush();
    }
    out.println();
  }

  static void print(SearchReply reply, PrintStream out) {
    if (reply instanceof SearchReply.Failure failure) {
      out.printf("  error %s: %s%n", failure.code(), failure.message());
      return;
    }
    SearchReply.Hits hits = (SearchReply.Hits) reply;
    out.printf(Locale.ROOT, "  %d hits  (embed %.1f ms, search %.1f ms, model %s)%n", hits.hits().size(),
        hits.timings().embedMs(), hits.timings().searchMs(), hits.model());
    int rank = 0;
    for (SearchHit hit : hits.hits()) {
      // the passage that matched (for a memory of one passage, its whole text)
      String where = hit.location().isEmpty() ? "" : "  [" + hit.location() + "]";
      out.printf(Locale.ROOT, "  %d. %.4f  %-14s %s%s%n", ++rank, hit.score(), hit.id(), hit.passage(), where);
    }
  }
}
