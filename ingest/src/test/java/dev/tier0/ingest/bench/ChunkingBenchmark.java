package dev.tier0.ingest.bench;

import dev.tier0.embed.BundledModel;
import dev.tier0.embed.EngineOptions;
import dev.tier0.embed.SharedModels;
import dev.tier0.ingest.ChunkSettings;
import dev.tier0.ingest.EngineEmbedder;
import dev.tier0.ingest.IngestWriter;
import dev.tier0.ingest.Outcome;
import dev.tier0.ingest.PreparedBatch;
import dev.tier0.ingest.RetryPolicy;
import dev.tier0.ingest.Source;
import dev.tier0.ingest.VectorStore;
import dev.tier0.ingest.WriteLimits;
import dev.tier0.ingest.WriteRequest;
import dev.tier0.memory.Memory;
import dev.tier0.milvus.Hit;
import dev.tier0.milvus.SearchQuery;
import dev.tier0.milvus.StoredMemory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * {@code bench/run chunking}: ingest throughput in tokens per second through the shared writer's prepare phase
 * (chunking + the model; the store is not timed) for 2,000-token documents against short memories, on the same
 * engine (the bundled MiniLM, default engine options), in one JVM, interleaved, median of repeats. Tokens are the
 * memories' own tokens (the model's count of each whole text), so the overlap between passages counts as cost.
 * Prints a table and writes target/bench/chunking.json.
 */
public final class ChunkingBenchmark {
  private static final int REPEATS = Integer.getInteger("bench.repeats", 5);
  private static final int TOKENS_PER_ROUND = Integer.getInteger("bench.tokens", 16_000);

  private ChunkingBenchmark() {}

  public static void main(String[] args) throws IOException {
    try (var engine = SharedModels.acquire(BundledModel.directory(), EngineOptions.defaults())) {
      EngineEmbedder model = new EngineEmbedder(engine);
      IngestWriter writer = new IngestWriter(model, new Discard(), WriteLimits.defaults(),
          new RetryPolicy(0, Duration.ZERO, Duration.ZERO), ChunkSettings.defaults());
      List<WriteRequest> docs = new ArrayList<>();
      List<WriteRequest> shorts = new ArrayList<>();
      long docTokens = 0;
      long shortTokens = 0;
      Random r = new Random(42);
      for (int i = 0; docTokens < TOKENS_PER_ROUND; i++) {
        String text = text(r, 1_870); // about 2,000 MiniLM tokens (1.07 tokens a word)
        docTokens += model.countTokens(text);
        docs.add(request(i, text));
      }
      for (int i = 0; shortTokens < TOKENS_PER_ROUND; i++) {
        String text = text(r, 12 + r.nextInt(24)); // a typical chat memory: 15-45 tokens
        shortTokens += model.countTokens(text);
        shorts.add(request(i, text));
      }
      ChunkSettings settings = ChunkSettings.defaults();
      List<String> passageTexts = new ArrayList<>();
      long passageTokens = 0;
      for (WriteRequest d : docs) {
        String text = ((WriteRequest.Upsert) d).memory().text();
        for (var passage : model.passages(text, settings.maxTokens(), settings.overlapTokens())) {
          passageTexts.add(passage.text());
          passageTokens += model.countTokens(passage.text());
        }
      }
      int passages = passageTexts.size();
      // warm-up, then interleaved rounds
      writer.prepare(docs);
      writer.prepare(shorts);
      model.embedDocuments(passageTexts);
      double[] docRates = new double[REPEATS];
      double[] shortRates = new double[REPEATS];
      double[] passageRates = new double[REPEATS];
      double[] shortDirectRates = new double[REPEATS];
      List<String> shortTexts = shorts.stream().map(w -> ((WriteRequest.Upsert) w).memory().text()).toList();
      for (int k = 0; k < REPEATS; k++) {
        docRates[k] = docTokens / seconds(writer, docs);
        shortRates[k] = shortTokens / seconds(writer, shorts);
        long start = System.nanoTime();
        model.embedDocuments(passageTexts);
        passageRates[k] = docTokens / ((System.nanoTime() - start) / 1e9);
        start = System.nanoTime();
        model.embedDocuments(shortTexts);
        shortDirectRates[k] = shortTokens / ((System.nanoTime() - start) / 1e9);
      }
      double doc = median(docRates);
      double shortRate = median(shortRates);
      double passagesDirect = median(passageRates);
      double shortsDirect = median(shortDirectRates);
      double costRatio = shortRate / doc; // cost per token of long docs relative to short memories
      System.out.printf(Locale.ROOT, "%-44s %10s %8s %12s%n", "input (bundled MiniLM, passages of "
          + settings.maxTokens() + ", overlap " + settings.overlapTokens() + ")", "memories", "tokens", "tokens/s");
      System.out.printf(Locale.ROOT, "%-44s %10d %8d %12.0f%n", "2,000-token documents (" + passages + " passages)",
          docs.size(), docTokens, doc);
      System.out.printf(Locale.ROOT, "%-44s %10d %8d %12.0f%n", "  the same passages, engine alone (no writer)",
          passages, docTokens, passagesDirect);
      System.out.printf(Locale.ROOT, "%-44s %10d %8d %12.0f%n", "short memories", shorts.size(), shortTokens,
          shortRate);
      System.out.printf(Locale.ROOT, "%-44s %10d %8d %12.0f%n", "  the same texts, engine alone (no writer)",
          shorts.size(), shortTokens, shortsDirect);
      System.out.printf(Locale.ROOT, "tokens the model reads for the documents: %d (%.2fx their own: overlap and "
          + "special tokens)%n", passageTokens, (double) passageTokens / docTokens);
      System.out.printf(Locale.ROOT, "writer overhead on documents (chunking, rows) vs the engine alone: %.3f%n",
          passagesDirect / doc);
      System.out.printf(Locale.ROOT, "writer overhead on short memories (checks, cutting, rows) vs the engine "
          + "alone: %.3f%n", shortsDirect / shortRate);
      System.out.printf(Locale.ROOT, "cost per token, documents / short memories: %.3f (goal <= 1.15)%n", costRatio);
      Path out = Path.of(System.getProperty("bench.out", "target/bench")).resolve("chunking.json");
      Files.createDirectories(out.getParent());
      Files.writeString(out, String.format(Locale.ROOT, """
          {
            "benchmark": "chunking",
            "model": "%s",
            "repeats": %d,
            "doc_memories": %d,
            "doc_tokens": %d,
            "doc_passages": %d,
            "doc_passage_tokens": %d,
            "doc_tokens_per_s": %.1f,
            "doc_passages_engine_only_tokens_per_s": %.1f,
            "short_memories": %d,
            "short_tokens": %d,
            "short_tokens_per_s": %.1f,
            "short_engine_only_tokens_per_s": %.1f,
            "cost_per_token_ratio": %.4f,
            "cost_per_token_ratio_goal": 1.15
          }
          """, model.modelName(), REPEATS, docs.size(), docTokens, passages, passageTokens, doc, passagesDirect,
          shorts.size(), shortTokens,
          shortRate, shortsDirect, costRatio));
      System.out.println("wrote " + out);
    }
  }

  private static double seconds(IngestWriter writer, List<WriteRequest> requests) {
    long start = System.nanoTime();
    PreparedBatch batch = writer.prepare(requests);
    double s = (System.nanoTime() - start) / 1e9;
    if (batch.outcomes().stream().anyMatch(o -> o instanceof Outcome.Rejected)) {
      throw new IllegalStateException("a benchmark memory was rejected: " + batch.outcomes());
    }
    return s;
  }

  private static WriteRequest request(int i, String text) {
    return new WriteRequest.Upsert(new Memory("m" + i, "bench", text, Map.of()), new Source("bench", 0, i, 0L));
  }

  private static final String[] WORDS = ("the meeting moved to thursday because several people were travelling and "
      + "the budget review needs everyone in the room so we agreed to prepare the slides early share them on "
      + "monday collect comments by wednesday evening and keep the discussion short focused on decisions about "
      + "hiring the new platform team office space renewal customer visits in march").split(" ");

  private static String text(Random r, int words) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < words; i++) {
      sb.append(WORDS[r.nextInt(WORDS.length)]).append(i % 15 == 14 ? ". " : " ");
    }
    return sb.toString().trim();
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /** The store is not what this measures. */
  private static final class Discard implements VectorStore {
    @Override
    public void upsert(List<StoredMemory> rows) {}

    @Override
    public void delete(Collection<String> ids) {}

    @Override
    public void deleteMemories(Collection<String> memoryIds) {}

    @Override
    public List<Hit> search(SearchQuery query) {
      return List.of();
    }

    @Override
    public boolean answers() {
      return true;
    }
  }
}
