package dev.tier0.ingest.bench;

import dev.tier0.embed.BundledModel;
import dev.tier0.embed.EngineOptions;
import dev.tier0.embed.SharedModels;
import dev.tier0.ingest.ChunkSettings;
import dev.tier0.ingest.CountingEmbedder;
import dev.tier0.ingest.EngineEmbedder;
import dev.tier0.ingest.IngestWriter;
import dev.tier0.ingest.MilvusVectorStore;
import dev.tier0.ingest.Outcome;
import dev.tier0.ingest.RetryPolicy;
import dev.tier0.ingest.Source;
import dev.tier0.ingest.WriteLimits;
import dev.tier0.ingest.WriteRequest;
import dev.tier0.memory.Memory;
import dev.tier0.milvus.Hit;
import dev.tier0.milvus.MilvusConfig;
import dev.tier0.milvus.MilvusLite;
import dev.tier0.milvus.SearchQuery;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * {@code bench/run replay}: what a full replay of the ingest topic costs once the memories are stored (issue 14).
 * Real Milvus Lite and the bundled MiniLM through the shared writer ({@code write}: prepare + store), in batches of
 * {@code bench.batch} (default 256, the connector's write.batch.max.records): first {@code bench.memories} (default
 * 10,000) memories of 15-45 tokens into an empty collection, then the same records again (a replay: same text,
 * metadata and source coordinates), then the same texts with new metadata (a metadata-only change). Counts the
 * texts the model embeds in each pass ({@link CountingEmbedder}) and times each pass once (a replay is not a thing
 * to repeat against a warm store: every pass changes what the next one finds). Prints a table and writes
 * target/bench/replay.json; goals: the replay embeds 0 texts and takes at most 20 % of the first ingest's time,
 * the metadata-only pass embeds 0 texts and every stored memory shows its new metadata.
 */
public final class ReplayBenchmark {
  private static final int MEMORIES = Integer.getInteger("bench.memories", 10_000);
  private static final int BATCH = Integer.getInteger("bench.batch", 256);

  private ReplayBenchmark() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("tier0-replay-bench");
    try (var engine = SharedModels.acquire(BundledModel.directory(), EngineOptions.defaults());
        MilvusLite lite = MilvusLite.start(dir.resolve("data"))) {
      CountingEmbedder model = new CountingEmbedder(new EngineEmbedder(engine));
      MilvusConfig config = MilvusConfig.builder().uri(lite.uri()).collection("replay_bench").build();
      try (MilvusVectorStore store = new MilvusVectorStore(config, model.dimension()).open()) {
        IngestWriter writer = new IngestWriter(model, store, WriteLimits.defaults(),
            new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(1)), ChunkSettings.defaults());
        Random r = new Random(42);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < MEMORIES; i++) {
          texts.add(text(r, 12 + r.nextInt(24)));
        }
        model.embedDocuments(texts.subList(0, Math.min(200, texts.size()))); // warm-up
        model.reset();

        Pass first = pass(writer, model, texts, "v1");
        Pass replay = pass(writer, model, texts, "v1");
        Pass metadata = pass(writer, model, texts, "v2");
        int checked = 0;
        int updated = 0;
        for (int i = 0; i < MEMORIES; i += Math.max(1, MEMORIES / 50)) {
          List<Hit> hits = store.search(new SearchQuery(model.embedQueries(List.of(texts.get(i))).get(0), "bench",
              1, Map.of(), 0, null));
          checked++;
          if (!hits.isEmpty() && hits.get(0).id().equals("m" + i)
              && "v2".equals(hits.get(0).metadata().get("version"))) {
            updated++;
          }
        }
        double replayRatio = replay.seconds / first.seconds;
        System.out.printf(Locale.ROOT, "%-40s %10s %10s %10s %12s%n", "pass (Milvus Lite, bundled MiniLM, batch "
            + BATCH + ")", "memories", "embedded", "seconds", "memories/s");
        for (Pass p : List.of(first, replay, metadata)) {
          System.out.printf(Locale.ROOT, "%-40s %10d %10d %10.2f %12.0f%n", p.name, MEMORIES, p.embedded, p.seconds,
              MEMORIES / p.seconds);
        }
        System.out.printf(Locale.ROOT, "replay / first ingest time: %.3f (goal <= 0.20), embedded on replay: %d "
            + "(goal 0)%n", replayRatio, replay.embedded);
        System.out.printf(Locale.ROOT, "metadata-only change: embedded %d (goal 0), %d of %d sampled memories "
            + "show the new metadata%n", metadata.embedded, updated, checked);
        Path out = Path.of(System.getProperty("bench.out", "target/bench")).resolve("replay.json");
        Files.createDirectories(out.getParent());
        Files.writeString(out, String.format(Locale.ROOT, """
            {
              "benchmark": "replay",
              "model": "%s",
              "memories": %d,
              "batch": %d,
              "first_seconds": %.3f,
              "first_embedded": %d,
              "replay_seconds": %.3f,
              "replay_embedded": %d,
              "replay_reused": %d,
              "replay_time_ratio": %.4f,
              "replay_time_ratio_goal": 0.20,
              "metadata_seconds": %.3f,
              "metadata_embedded": %d,
              "metadata_sampled": %d,
              "metadata_updated": %d
            }
            """, model.modelName(), MEMORIES, BATCH, first.seconds, first.embedded, replay.seconds,
            replay.embedded, replay.reused, replayRatio, metadata.seconds, metadata.embedded, checked, updated));
        System.out.println("wrote " + out);
      }
    }
  }

  private record Pass(String name, double seconds, long embedded, long reused) {}

  /** Writes every text once, with metadata {@code version}, offsets 0..n-1: the same records each time it runs. */
  private static Pass pass(IngestWriter writer, CountingEmbedder model, List<String> texts, String version)
      throws InterruptedException {
    model.reset();
    long reused = 0;
    long start = System.nanoTime();
    for (int from = 0; from < texts.size(); from += BATCH) {
      List<WriteRequest> batch = new ArrayList<>();
      for (int i = from; i < Math.min(from + BATCH, texts.size()); i++) {
        batch.add(new WriteRequest.Upsert(new Memory("m" + i, "bench", texts.get(i),
            Map.of("version", version, "n", (long) i)), new Source("memories", 0, i, 1_000L + i)));
      }
      var prepared = writer.prepare(batch);
      writer.store(prepared);
      reused += prepared.reused();
      if (!prepared.outcomes().stream().allMatch(o -> o == Outcome.STORED)) {
        throw new IllegalStateException("not every memory was stored: " + prepared.outcomes());
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    String name = switch (version) {
      case "v1" -> reused == 0 ? "first ingest" : "replay (same records)";
      default -> "metadata-only change (same text)";
    };
    return new Pass(name, seconds, model.embedded(), reused);
  }

  private static final String[] WORDS = ("the meeting moved to thursday because several people were travelling and "
      + "the budget review needs everyone in the room so we agreed to prepare the slides early share them on "
      + "monday collect comments by wednesday evening and keep the discussion short focused on decisions about "
      + "hiring the new platform team office space renewal customer visits in march").split(" ");

  private static String text(Random r, int words) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < words; i++) {
      sb.append(WORDS[r.nextInt(WORDS.length)]).append(' ');
    }
    return sb.toString().trim();
  }
}
