package dev.tier0.streams.search;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code search "text"}: one request through {@link SearchClient}, the reply printed as a table or JSON. */
@Command(name = "search", mixinStandardHelpOptions = true,
    description = "Search the memories through the streams app's request topic and print the reply.")
public final class SearchCommand implements Callable<Integer> {
  @Parameters(index = "0", description = "The query text.")
  String query;

  @Option(names = {"-b", "--bootstrap-servers"}, defaultValue = "${env:TIER0_BOOTSTRAP_SERVERS:-localhost:9092}",
      description = "Kafka brokers (default: ${DEFAULT-VALUE}).")
  String bootstrapServers;

  @Option(names = "--request-topic", defaultValue = "${env:TIER0_SEARCH_REQUEST_TOPIC:-tier0.search.requests}",
      description = "Request topic (default: ${DEFAULT-VALUE}).")
  String requestTopic;

  @Option(names = "--reply-topic", defaultValue = "${env:TIER0_SEARCH_REPLY_TOPIC:-tier0.search.replies}",
      description = "Topic to listen for the reply on (default: ${DEFAULT-VALUE}).")
  String replyTopic;

  @Option(names = {"-t", "--tenant"}, description = "Tenant to search (default: the app's default tenant).")
  String tenant;

  @Option(names = {"-k", "--top-k"}, description = "Number of hits (default: the app's default).")
  Integer topK;

  @Option(names = {"-f", "--filter"}, paramLabel = "COND", description = {
      "A metadata condition; repeatable, all must hold: key=value (string), key:=JSON (number, true/false,",
      "\"string\", or [\"a\",\"b\"] for any of), key>n, key>=n, key<n, key<=n."})
  List<String> filter = new ArrayList<>();

  @Option(names = "--after", paramLabel = "TIME",
      description = "Only memories whose record timestamp is at or after TIME (ISO-8601 like 2026-11-01T00:00:00Z, or epoch ms).")
  String after;

  @Option(names = "--before", paramLabel = "TIME", description = "Only memories whose record timestamp is before TIME.")
  String before;

  @Option(names = {"-m", "--mode"}, description = "dense, keyword or hybrid (default: hybrid where the collection supports it).")
  String mode;

  @Option(names = "--fusion", description = "Hybrid fusion: weighted (default) or rrf.")
  String fusion;

  @Option(names = "--dense-weight", description = "Weighted fusion: the dense leg's weight in [0, 1] (default 0.7).")
  Float denseWeight;

  @Option(names = "--recency", paramLabel = "HALF_LIFE", description = "Favour newer memories, e.g. 7d, 12h.")
  String recency;

  @Option(names = "--min-score", description = "Drop hits below this cosine similarity (dense mode).")
  Float minScore;

  @Option(names = "--timeout", defaultValue = "30s", converter = DurationConverter.class,
      description = "How long to wait for the reply, e.g. 500ms, 30s (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(names = "--json", description = "Print the reply JSON as it came.")
  boolean json;

  @Option(names = {"-X", "--kafka"}, description = "Extra Kafka client property key=value; repeatable.")
  Map<String, String> kafka = new HashMap<>();

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Map<String, Object> config = new HashMap<>(kafka);
    config.put("bootstrap.servers", bootstrapServers);
    SearchClient.Query q;
    try {
      q = new SearchClient.Query(query, tenant, topK, CliFilters.parse(filter, after, before), minScore, mode,
          fusion != null ? fusion : denseWeight != null ? "weighted" : null, denseWeight, recency);
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println(e.getMessage());
      return 2;
    }
    PrintWriter out = spec.commandLine().getOut();
    try (SearchClient client = new SearchClient(config, requestTopic, replyTopic)) {
      SearchReply reply = client.search(q, timeout);
      if (json) {
        out.println(new ObjectMapper().readTree(SearchReplyCodec.encode(reply)).toPrettyString());
      } else {
        print(out, reply);
      }
      return reply instanceof SearchReply.Failure ? 1 : 0;
    } catch (TimeoutException e) {
      spec.commandLine().getErr().println(e.getMessage());
      return 3;
    }
  }

  private static void print(PrintWriter out, SearchReply reply) {
    if (reply instanceof SearchReply.Failure failure) {
      out.printf("error %s: %s%n", failure.code(), failure.message());
      return;
    }
    SearchReply.Hits hits = (SearchReply.Hits) reply;
    out.printf("%d hits (model %s, %s, embed %.1f ms, search %.1f ms)%n", hits.hits().size(), hits.model(),
        hits.mode() == null ? "dense" : hits.mode(), hits.timings().embedMs(), hits.timings().searchMs());
    int rank = 0;
    for (SearchHit hit : hits.hits()) {
      // the passage that matched; for a long memory, which of its passages it is
      String where = hit.location().isEmpty() ? "" : " [" + hit.location() + "]";
      out.printf("%2d  %.4f  %-24s  %s%s%n", ++rank, hit.score(), hit.id(), oneLine(hit.passage()), where);
    }
  }

  private static String oneLine(String text) {
    String flat = text.replaceAll("\\s+", " ");
    return flat.length() <= 100 ? flat : flat.substring(0, 97) + "...";
  }

  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      String v = value.trim().toLowerCase();
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      }
      if (v.endsWith("s")) {
        return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
      }
      if (v.endsWith("m")) {
        return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
      }
      return Duration.ofMillis(Long.parseLong(v));
    }
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new SearchCommand()).execute(args));
  }
}
