package dev.tier0.streams.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tier0.embed.BundledModel;
import dev.tier0.embed.EmbeddingEngine;
import dev.tier0.embed.EngineOptions;
import dev.tier0.embed.SharedModels;
import dev.tier0.local.LocalKafka;
import dev.tier0.milvus.MemoryStore;
import dev.tier0.milvus.MilvusConfig;
import dev.tier0.milvus.MilvusLite;
import dev.tier0.milvus.StoredMemory;
import dev.tier0.streams.AppConfig;
import dev.tier0.streams.LiteIndexing;
import dev.tier0.streams.StreamsApp;
import dev.tier0.streams.search.SearchClient;
import dev.tier0.streams.search.SearchReply;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * bench/run search: request-to-reply latency through the real app (in-process KRaft broker, Milvus Lite, MiniLM),
 * with 10k and 100k stored memories, one client and 8 concurrent clients, and the single-query embed latency of
 * the same model in the same JVM. The one-client run alternates dense and hybrid (BM25 + dense, RRF) requests,
 * so both modes see the same machine; the 8-client rows are dense. {@code -Dbench.sizes=10000} runs 10k only.
 * Writes target/bench/search.json.
 *
 * <p>{@code -Dtier0.bench.milvus.uri=http://127.0.0.1:19530} measures against a Milvus server already running
 * there (e.g. a full Milvus standalone, see {@link ExternalMilvus}) instead of starting Milvus Lite; the
 * benchmark drops and recreates its collection {@code bench} on it.
 *
 * <p>The stored vectors are real MiniLM embeddings of a base set of texts plus, beyond that, small random
 * perturbations of them (re-normalised): embedding 100k texts would take most of an hour on a laptop CPU, and
 * search latency depends on the number and shape of the vectors, not on where they came from.
 */
public final class SearchBenchmark {
  private static final String TENANT = "bench";
  private static final int BASE_TEXTS = 2_000;
  private static final int WARMUP = 50;
  private static final int SINGLE_REQUESTS = Integer.getInteger("bench.single.requests", 300);
  private static final int CONCURRENT_CLIENTS = 8;
  private static final int REQUESTS_PER_CLIENT = Integer.getInteger("bench.concurrent.requests", 60);
  private static final String EXTERNAL_MILVUS_URI = System.getProperty("tier0.bench.milvus.uri");
  private static final int[] SIZES = Arrays.stream(System.getProperty("bench.sizes", "10000,100000").split(","))
      .mapToInt(x -> Integer.parseInt(x.trim())).toArray();

  public static void main(String[] args) {
    try {
      run();
    } catch (Throwable e) {
      e.printStackTrace();
      System.exit(1);
    }
    System.exit(0);  // the broker's and clients' non-daemon threads would keep the JVM alive
  }

  private static void run() throws Exception {
    Path out = Path.of(System.getProperty("bench.out", "target/bench"));
    Files.createDirectories(out);
    Path work = Files.createTempDirectory("tier0-bench-search-");
    Map<String, Object> results = new LinkedHashMap<>();
    List<String[]> table = new ArrayList<>();
    try (LocalKafka kafka = LocalKafka.start();
         // null (nothing to close) when the benchmark uses an external server
         MilvusLite lite = EXTERNAL_MILVUS_URI == null ? MilvusLite.start(work.resolve("milvus")) : null;
         ExternalMilvus external =
             EXTERNAL_MILVUS_URI == null ? null : new ExternalMilvus(EXTERNAL_MILVUS_URI, "bench");
         EmbeddingEngine engine = SharedModels.acquire(BundledModel.directory(), EngineOptions.defaults())) {
      String milvusUri = lite != null ? lite.uri() : EXTERNAL_MILVUS_URI;
      if (external != null) {
        external.dropCollection();
        results.put("store", "Milvus " + external.serverVersion() + " at " + EXTERNAL_MILVUS_URI);
      } else {
        results.put("store", "Milvus Lite 3.2.2");
      }
      kafka.createTopics("bench.requests", "bench.replies");
      Map<String, Object> config = new HashMap<>();
      config.put("application.id", "tier0-bench");
      config.put("bootstrap.servers", kafka.bootstrapServers());
      config.put("state.dir", work.resolve("state").toString());
      config.put("search.request.topic", "bench.requests");
      config.put("search.reply.topic", "bench.replies");
      config.put("milvus.uri", milvusUri);
      config.put("milvus.collection", "bench");
      config.put("health.port", "-1");
      List<String> texts = texts(BASE_TEXTS);
      System.out.printf("embedding %d base texts...%n", texts.size());
      List<float[]> base = engine.embedDocuments(texts).stream().map(e -> e.vector()).toList();

      try (StreamsApp app = StreamsApp.start(new AppConfig(config));
           MemoryStore store = MemoryStore.connect(MilvusConfig.builder().uri(milvusUri).collection("bench").build())) {
        if (!app.awaitRunning(Duration.ofSeconds(120))) {
          throw new IllegalStateException("app did not reach RUNNING");
        }
        int stored = 0;
        // Sampled between the single-client requests, so the embed figure sees the same machine as the replies.
        Stats embed = new Stats();
        String largest = null;
        for (int size : SIZES) {
          if (external != null) {
            stored = fill(external::insert, texts, base, stored, size);
            external.flushAndAwaitIndex();
          } else {
            stored = fill(store::upsert, texts, base, stored, size);
            LiteIndexing.flushAndIndex(milvusUri, "bench");
          }
          String label = size / 1000 + "k";
          System.out.printf("%d memories stored; measuring...%n", store.count());
          largest = label;
          Stats hybrid = new Stats();
          // a server older than Milvus 2.5 (the --milvus standalone 2.3.5) has no BM25 field: dense rows only
          boolean hybridOn = store.keywordCapable();
          Stats single = singleClient(kafka, texts, engine, embed, hybridOn ? hybrid : null);
          Stats concurrent = concurrentClients(kafka, texts);
          results.put("reply_p50_ms_" + label, single.p50());
          results.put("reply_p99_ms_" + label, single.p99());
          results.put("reply_mean_ms_" + label, single.mean());
          results.put("server_search_p50_ms_" + label, single.searchP50());
          results.put("server_embed_p50_ms_" + label, single.embedP50());
          // what the app and Kafka add around the model and the store: reply - server embed - server search
          results.put("app_overhead_p50_ms_" + label, single.overheadP50());
          if (hybridOn) {
            results.put("hybrid_reply_p50_ms_" + label, hybrid.p50());
            results.put("hybrid_reply_p99_ms_" + label, hybrid.p99());
            results.put("hybrid_server_search_p50_ms_" + label, hybrid.searchP50());
          }
          results.put("reply_c8_p50_ms_" + label, concurrent.p50());
          results.put("reply_c8_p99_ms_" + label, concurrent.p99());
          results.put("reply_c8_throughput_rps_" + label, concurrent.throughput());
          table.add(new String[] {label, "1 dense", fmt(single.p50()), fmt(single.p99()), fmt(single.embedP50()),
              fmt(single.searchP50()), fmt(single.throughput())});
          if (hybridOn) {
            table.add(new String[] {label, "1 hybrid", fmt(hybrid.p50()), fmt(hybrid.p99()),
                fmt(hybrid.embedP50()), fmt(hybrid.searchP50()), fmt(hybrid.throughput())});
          }
          table.add(new String[] {label, "8 dense", fmt(concurrent.p50()), fmt(concurrent.p99()),
              fmt(concurrent.embedP50()), fmt(concurrent.searchP50()), fmt(concurrent.throughput())});
        }
        results.put("largest", largest);
        results.put("embed_p50_ms", embed.p50());
        results.put("embed_p99_ms", embed.p99());
      }
    }
    double embedP50 = (double) results.get("embed_p50_ms");
    String largest = (String) results.get("largest");
    double p50 = (double) results.get("reply_p50_ms_" + largest);
    double p99 = (double) results.get("reply_p99_ms_" + largest);
    results.put("floor_p50_within_embed_plus_20ms", p50 <= embedP50 + 20);
    results.put("floor_p99_within_3x_p50", p99 <= 3 * p50);
    results.put("cpus", Runtime.getRuntime().availableProcessors());
    results.put("load_average_1m_at_end", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    results.put("model", "all-minilm-l6-v2 (bundled)");

    System.out.println();
    System.out.printf("%-6s %-10s %9s %9s %12s %13s %9s%n", "stored", "clients", "p50 ms", "p99 ms",
        "srv embed", "srv search", "req/s");
    for (String[] row : table) {
      System.out.printf("%-6s %-10s %9s %9s %12s %13s %9s%n", (Object[]) row);
    }
    System.out.printf("single-query embed (same JVM, same model, between the requests): p50 %.2f ms, p99 %.2f ms%n",
        embedP50, (double) results.get("embed_p99_ms"));
    System.out.printf("app + Kafka overhead around embed and search, 1 dense client: p50 %.2f ms (%s)%n",
        (double) results.get("app_overhead_p50_ms_" + largest), largest);
    System.out.printf("machine load average (1 min) at the end: %.1f on %d cpus%n",
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), Runtime.getRuntime().availableProcessors());
    System.out.printf("floor: dense reply p50 (%s) %.2f <= embed p50 + 20 = %.2f: %s; p99 %.2f <= 3 x p50 = %.2f: %s%n",
        largest, p50, embedP50 + 20, results.get("floor_p50_within_embed_plus_20ms"), p99, 3 * p50,
        results.get("floor_p99_within_3x_p50"));
    Path json = out.resolve("search.json");
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), results);
    System.out.println("wrote " + json);
  }

  private static int fill(Consumer<List<StoredMemory>> store, List<String> texts, List<float[]> base, int from,
      int to) {
    Random random = new Random(from);
    List<StoredMemory> batch = new ArrayList<>();
    for (int i = from; i < to; i++) {
      int b = i % base.size();
      float[] v = i < base.size() ? base.get(b) : perturb(base.get(b), random);
      batch.add(new StoredMemory("m-" + i, TENANT, v, texts.get(b), Map.of("n", i), "bench", 0, i, 0L,
          "all-minilm-l6-v2"));
      if (batch.size() == 2_000) {
        store.accept(batch);
        batch = new ArrayList<>();
      }
    }
    store.accept(batch);
    return to;
  }

  private static float[] perturb(float[] v, Random random) {
    float[] p = new float[v.length];
    double norm = 0;
    for (int i = 0; i < v.length; i++) {
      p[i] = v[i] + (float) (random.nextGaussian() * 0.03);
      norm += p[i] * p[i];
    }
    float inv = (float) (1 / Math.sqrt(norm));
    for (int i = 0; i < p.length; i++) {
      p[i] *= inv;
    }
    return p;
  }

  /**
   * Dense and hybrid requests alternate (which goes first alternates too); returns dense, fills {@code hybrid}
   * (null: dense only).
   */
  private static Stats singleClient(LocalKafka kafka, List<String> texts, EmbeddingEngine engine, Stats embed,
                                    Stats hybrid) throws Exception {
    try (SearchClient client = client(kafka)) {
      Random random = new Random(1);
      for (int i = 0; i < WARMUP; i++) {
        ask(client, texts.get(random.nextInt(texts.size())), "dense", null);
        if (hybrid != null) {
          ask(client, texts.get(random.nextInt(texts.size())), "hybrid", null);
        }
      }
      Stats stats = new Stats();
      long asking = 0;
      long askingHybrid = 0;
      for (int i = 0; i < SINGLE_REQUESTS; i++) {
        String text = texts.get(random.nextInt(texts.size()));
        for (int leg = 0; leg < (hybrid == null ? 1 : 2); leg++) {
          boolean dense = hybrid == null || (i + leg) % 2 == 0;
          long t = System.nanoTime();
          ask(client, text, dense ? "dense" : "hybrid", dense ? stats : hybrid);
          if (dense) {
            asking += System.nanoTime() - t;
          } else {
            askingHybrid += System.nanoTime() - t;
          }
        }
        long e = System.nanoTime();
        engine.embedQuery(texts.get(random.nextInt(texts.size())));
        embed.add((System.nanoTime() - e) / 1e6, 0, 0);
      }
      stats.elapsedNanos = asking;
      if (hybrid != null) {
        hybrid.elapsedNanos = askingHybrid;
      }
      return stats;
    }
  }

  private static Stats concurrentClients(LocalKafka kafka, List<String> texts) throws Exception {
    List<SearchClient> clients = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(CONCURRENT_CLIENTS);
    try {
      for (int c = 0; c < CONCURRENT_CLIENTS; c++) {
        clients.add(client(kafka));
      }
      Stats stats = new Stats();
      List<Future<?>> done = new ArrayList<>();
      long start = System.nanoTime();
      for (int c = 0; c < CONCURRENT_CLIENTS; c++) {
        SearchClient client = clients.get(c);
        Random random = new Random(100 + c);
        done.add(pool.submit(() -> {
          for (int i = 0; i < WARMUP / 5; i++) {
            ask(client, texts.get(random.nextInt(texts.size())), "dense", null);
          }
          for (int i = 0; i < REQUESTS_PER_CLIENT; i++) {
            ask(client, texts.get(random.nextInt(texts.size())), "dense", stats);
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
      stats.elapsedNanos = System.nanoTime() - start;
      return stats;
    } finally {
      pool.shutdown();
      clients.forEach(SearchClient::close);
    }
  }

  private static void ask(SearchClient client, String text, String mode, Stats stats) throws Exception {
    long start = System.nanoTime();
    SearchReply reply = client.search(SearchClient.Query.of(text).tenant(TENANT).topK(5).mode(mode),
        Duration.ofSeconds(30));
    long nanos = System.nanoTime() - start;
    if (!(reply instanceof SearchReply.Hits hits) || hits.hits().isEmpty() || !mode.equals(hits.mode())) {
      throw new IllegalStateException("unexpected reply " + reply);
    }
    if (stats != null) {
      stats.add(nanos / 1e6, hits.timings().embedMs(), hits.timings().searchMs());
    }
  }

  private static SearchClient client(LocalKafka kafka) {
    return new SearchClient(Map.of("bootstrap.servers", kafka.bootstrapServers()), "bench.requests",
        "bench.replies");
  }

  static List<String> texts(int n) {
    String[] who = {"Alice", "Bob", "the intern", "my landlord", "the CFO", "grandma", "the dentist", "Priya",
        "the plumber", "Coach Rivera"};
    String[] did = {"asked about", "forgot", "booked", "cancelled", "paid for", "recommended", "fixed", "sold",
        "returned", "reviewed"};
    String[] what = {"the blue bicycle", "two concert tickets", "the quarterly report", "a birthday cake",
        "the kitchen tap", "the rental contract", "a flight to Lisbon", "the gym membership", "the parking permit",
        "a hiking backpack", "the insurance claim", "the piano lessons"};
    String[] when = {"on Monday", "last Tuesday", "before the weekend", "during the storm", "after lunch",
        "in March", "at midnight", "in Tokyo", "at the market", "during the power cut"};
    Random random = new Random(3);
    java.util.Set<String> set = new java.util.LinkedHashSet<>();
    while (set.size() < n) {
      set.add(who[random.nextInt(who.length)] + " " + did[random.nextInt(did.length)] + " "
          + what[random.nextInt(what.length)] + " " + when[random.nextInt(when.length)] + " (#" + set.size() + ")");
    }
    return new ArrayList<>(set);
  }

  private static String fmt(double v) {
    return String.format("%.2f", v);
  }

  /** Latencies in ms; percentiles by nearest rank. */
  private static final class Stats {
    private final List<double[]> samples = new ArrayList<>();
    long elapsedNanos;

    synchronized void add(double replyMs, double embedMs, double searchMs) {
      samples.add(new double[] {replyMs, embedMs, searchMs});
    }

    double p50() { return percentile(0, 50); }
    double p99() { return percentile(0, 99); }
    double embedP50() { return percentile(1, 50); }
    double searchP50() { return percentile(2, 50); }

    synchronized double overheadP50() {
      double[] values = samples.stream().mapToDouble(s -> s[0] - s[1] - s[2]).sorted().toArray();
      return values[Math.max(0, (int) Math.ceil(0.5 * values.length) - 1)];
    }

    double mean() {
      return samples.stream().mapToDouble(s -> s[0]).average().orElse(0);
    }

    double throughput() {
      return samples.size() / (elapsedNanos / 1e9);
    }

    private synchronized double percentile(int column, int p) {
      double[] values = samples.stream().mapToDouble(s -> s[column]).toArray();
      Arrays.sort(values);
      int rank = (int) Math.ceil(p / 100.0 * values.length);
      return values[Math.max(0, Math.min(values.length - 1, rank - 1))];
    }
  }
}
