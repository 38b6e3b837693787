package dev.tier0.streams.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tier0.embed.BundledModel;
import dev.tier0.embed.EmbeddingEngine;
import dev.tier0.embed.EngineOptions;
import dev.tier0.embed.SharedModels;
import dev.tier0.ingest.bench.CpuShare;
import dev.tier0.local.LocalKafka;
import dev.tier0.memory.config.SharedConfig;
import dev.tier0.milvus.MemoryStore;
import dev.tier0.milvus.MilvusConfig;
import dev.tier0.milvus.MilvusLite;
import dev.tier0.streams.AppConfig;
import dev.tier0.streams.StreamsApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * bench/run streams-ingest: records/s from the ingest topic into Milvus Lite through the streams app's ingest
 * topology (in-process KRaft broker, bundled MiniLM), against the engine alone embedding the same texts in the
 * app's write batches in the same JVM, with the same engine options. Per mode ({@code -Dbench.modes}, default
 * {@code latency,throughput}; {@code model.mode=auto} is throughput in this ingest-only app, latency in one that
 * serves search) and round, the two are measured back to back, the first of the pair alternating; the ratio is the
 * median of the per-round ratios (floor 0.9).
 * {@code -Dbench.records} (default 5000), {@code -Dbench.rounds} (default 3), {@code -Dbench.threads} (model.threads
 * of both sides, default 0: the engine's choice; latency mode with fewer threads than cores leaves the store and the
 * broker cores of their own), {@code -Dbench.runs} (model.concurrent.runs of both sides, default 0: one run per core
 * in throughput mode), {@code -Dbench.prepare.ahead} (the app's ingest.prepare.ahead, default true; false
 * times the flushes that embed and store on the stream thread). Writes target/bench/streams-ingest.json.
 *
 * <p>Each end-to-end run starts an app of its own, with a topic and a collection of its own, after
 * {@code -Dbench.warmups} untimed runs (default 3). It is timed from the app reaching RUNNING (model loaded,
 * partitions assigned; the records are already in the topic) to the app counting every record stored (its metric,
 * read without calling Milvus); the collection's count is then checked.
 */
public final class StreamsIngestBenchmark {
  private static final int RECORDS = Integer.getInteger("bench.records", 5_000);
  private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
  private static final String[] MODES = System.getProperty("bench.modes", "latency,throughput").split(",");
  private static final int WRITE_BATCH = 256; // the app's write.batch.max.records default
  private static final double FLOOR = 0.9;
  /**
   * Untimed end-to-end runs (of the first mode, all the records, a new app each, as the rounds) before round 1: the
   * JIT compiles the app's paths (Kafka Streams, the broker in this JVM, the Milvus SDK's gRPC, tier0) over the first
   * ~20,000 records, and a long-running app pays that once. {@code -Dbench.warmups}, default 3.
   */
  private static final int WARM_UPS = Integer.getInteger("bench.warmups", 3);
  /** model.threads for both sides (0: the engine's choice); see the connector benchmark's tier0.bench.threads. */
  private static final int THREADS = Integer.getInteger("bench.threads", 0);
  /** model.concurrent.runs for both sides (throughput mode's runs at once; 0: one per core, the engine's default). */
  private static final int RUNS = Integer.getInteger("bench.runs", 0);
  /** ingest.prepare.ahead (the app's default: true); false times the flushes that embed on the stream thread. */
  private static final boolean PREPARE_AHEAD = Boolean.parseBoolean(System.getProperty("bench.prepare.ahead",
      "true"));

  private StreamsIngestBenchmark() {}

  public static void main(String[] args) {
    try {
      run();
    } catch (Throwable e) {
      e.printStackTrace();
      System.exit(1);
    }
    System.exit(0); // the broker's non-daemon threads would keep the JVM alive
  }

  private static void run() throws Exception {
    Path out = Path.of(System.getProperty("bench.out", "target/bench"));
    Files.createDirectories(out);
    Path work = Files.createTempDirectory("tier0-bench-streams-ingest-");
    List<String> texts = SearchBenchmark.texts(RECORDS);
    Map<String, Object> results = new LinkedHashMap<>();
    results.put("benchmark", "streams-ingest");
    results.put("model", "all-minilm-l6-v2 (bundled)");
    results.put("store", "Milvus Lite 3.2.2");
    results.put("records", RECORDS);
    results.put("rounds", ROUNDS);
    results.put("write_batch_max_records", WRITE_BATCH);
    results.put("model_threads", THREADS);
    results.put("model_concurrent_runs", RUNS);
    results.put("ingest_prepare_ahead", PREPARE_AHEAD);
    results.put("cpus", Runtime.getRuntime().availableProcessors());
    Map<String, List<Double>> e2e = new LinkedHashMap<>();
    Map<String, List<Double>> engineOnly = new LinkedHashMap<>();
    Map<String, List<Breakdown>> breakdowns = new LinkedHashMap<>();
    Map<String, List<Long>> jitE2eRounds = new LinkedHashMap<>();
    List<Double> warmUps = new ArrayList<>();
    try (LocalKafka kafka = LocalKafka.start(); MilvusLite lite = MilvusLite.start(work.resolve("milvus"))) {
      Map<String, EmbeddingEngine> engines = new LinkedHashMap<>();
      try {
        for (String mode : MODES) {
          // the very options the app derives from its config, so the app's acquire shares this loaded model
          EngineOptions options = SharedConfig.engineOptions(new AppConfig(appConfig(kafka, lite, work, mode, "0")),
              dev.tier0.embed.EngineMode.parse(mode));
          engines.put(mode, SharedModels.acquire(BundledModel.directory(), options));
          embedAll(engines.get(mode), texts.subList(0, Math.min(1000, texts.size()))); // warm-up, untimed
          e2e.put(mode, new ArrayList<>());
          engineOnly.put(mode, new ArrayList<>());
          breakdowns.put(mode, new ArrayList<>());
          jitE2eRounds.put(mode, new ArrayList<>());
        }
        // The app's own code paths (Kafka Streams, the store client, the changelog) are JIT-compiled over its first
        // runs in a JVM: C2 took ~11 % of the machine through a whole first round. The engine side is warmed up
        // above, so the end-to-end side is too: WARM_UPS untimed runs, not counted.
        for (int w = 1; w <= WARM_UPS; w++) {
          long jit = CpuShare.jitCompileMs();
          double rps = endToEnd(kafka, lite, work, MODES[0], "w" + w, texts, new ArrayList<>());
          warmUps.add(round(rps));
          System.out.printf("warm-up %d %-10s e2e %.1f records/s; JIT compiling %d ms%n", w, MODES[0], rps,
              CpuShare.jitCompileMs() - jit);
        }
        for (int round = 1; round <= ROUNDS; round++) {
          for (String mode : MODES) {
            // the engine side goes first in odd rounds, last in even ones; the JIT's compile time is read at the
            // round's start, around the end-to-end side and at the round's end
            boolean engineFirst = round % 2 == 1;
            long start = CpuShare.jitCompileMs();
            if (engineFirst) {
              engineOnly.get(mode).add(engineOnly(engines.get(mode), texts));
            }
            long beforeE2e = CpuShare.jitCompileMs();
            e2e.get(mode).add(endToEnd(kafka, lite, work, mode, Integer.toString(round), texts,
                breakdowns.get(mode)));
            long afterE2e = CpuShare.jitCompileMs();
            if (!engineFirst) {
              engineOnly.get(mode).add(engineOnly(engines.get(mode), texts));
            }
            long jitE2e = afterE2e - beforeE2e;
            long jitEngine = beforeE2e - start + CpuShare.jitCompileMs() - afterE2e;
            jitE2eRounds.get(mode).add(jitE2e);
            System.out.printf("round %d %-10s e2e %.1f records/s, engine only %.1f texts/s; JIT compiling %d ms "
                + "during e2e, %d ms during engine only%n", round, mode, last(e2e.get(mode)),
                last(engineOnly.get(mode)), jitE2e, jitEngine);
          }
        }
      } finally {
        engines.values().forEach(EmbeddingEngine::close);
      }
    }
    System.out.println();
    System.out.printf("streams-app ingest (%d records, median of %d rounds, %d cpus)%n", RECORDS, ROUNDS,
        Runtime.getRuntime().availableProcessors());
    System.out.printf("  %-12s %14s %14s %8s%n", "mode", "e2e rec/s", "engine only", "ratio");
    Map<String, Object> modes = new LinkedHashMap<>();
    for (String mode : MODES) {
      List<Double> a = e2e.get(mode);
      List<Double> b = engineOnly.get(mode);
      List<Double> ratios = new ArrayList<>();
      for (int i = 0; i < a.size(); i++) {
        ratios.add(a.get(i) / b.get(i));
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("e2e_rps", round(median(a)));
      m.put("engine_only_rps", round(median(b)));
      m.put("ratio", Math.round(median(ratios) * 1000) / 1000.0);
      m.put("floor", FLOOR);
      m.put("floor_met", median(ratios) >= FLOOR);
      // the round whose e2e is the median: where its time and the machine's CPU went, per record
      int medianRound = java.util.stream.IntStream.range(0, a.size()).boxed()
          .sorted(java.util.Comparator.comparingDouble(a::get)).toList().get(a.size() / 2);
      Breakdown d = breakdowns.get(mode).get(medianRound);
      Map<String, Object> perRecord = new LinkedHashMap<>();
      perRecord.put("wall_ms", round2(1000 / a.get(medianRound)));
      perRecord.put("model_ms_inside_e2e", round2(d.modelMsPerRecord()));
      perRecord.put("model_ms_engine_only", round2(1000 / b.get(medianRound)));
      perRecord.put("store_ms", round2(d.storeMsPerRecord()));
      perRecord.put("cpu_ms_app_jvm", round2(d.cpu().jvmMsPerRecord()));
      perRecord.put("cpu_ms_milvus_lite", round2(d.cpu().liteMsPerRecord()));
      perRecord.put("cpu_ms_app_jvm_by_thread", d.cpu().jvmThreadsMsPerRecord());
      m.put("per_record_median_round", perRecord);
      // the ratio end to end would reach with no core ever idle (CpuShare; null where the engine leaves a core free)
      Double bound = d.cpu().ratioIfNoCoreIdle(b.get(medianRound), mode, THREADS);
      m.put("ratio_if_no_core_idle", bound == null ? null : Math.round(bound * 1000) / 1000.0);
      m.put("e2e_rps_rounds", a.stream().map(StreamsIngestBenchmark::round).toList());
      m.put("engine_only_rps_rounds", b.stream().map(StreamsIngestBenchmark::round).toList());
      m.put("jit_ms_e2e_rounds", jitE2eRounds.get(mode));
      modes.put(mode, m);
      System.out.printf("  %-12s %14.1f %14.1f %8.3f   (floor %.1f)%n", mode, median(a), median(b), median(ratios),
          FLOOR);
      // with prepare-ahead the model runs while the stream thread stores: the parts overlap instead of adding up
      System.out.printf("  %-12s per record (median round): wall %.2f ms %s model %.2f (alone %.2f) %s store %.2f "
          + "%s; CPU app JVM %.2f ms, Milvus Lite %.2f ms%s%n", "", 1000 / a.get(medianRound),
          PREPARE_AHEAD ? "against" : "=", d.modelMsPerRecord(), 1000 / b.get(medianRound),
          PREPARE_AHEAD ? "overlapping" : "+", d.storeMsPerRecord(), PREPARE_AHEAD ? "and the rest" : "+ rest",
          d.cpu().jvmMsPerRecord(), d.cpu().liteMsPerRecord(),
          bound == null ? "" : String.format("; ratio with no core idle %.3f", bound));
      System.out.printf("  %-12s app JVM CPU ms a record by thread (median round): %s%n", "",
          d.cpu().jvmThreadsMsPerRecord());
    }
    results.put("modes", modes);
    results.put("warm_ups", WARM_UPS);
    results.put("warm_up_e2e_rps", warmUps);
    results.put("ratio_definition", "median over rounds of e2e_rps / engine_only_rps, each pair measured back to back");
    Path file = out.resolve("streams-ingest.json");
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), results);
    System.out.println("  written to " + file.toAbsolutePath());
  }

  private static Map<String, Object> appConfig(LocalKafka kafka, MilvusLite lite, Path work, String mode,
                                               String round) {
    Map<String, Object> c = new HashMap<>();
    c.put("application.id", "tier0-bench-ingest-" + mode + "-" + round);
    c.put("bootstrap.servers", kafka.bootstrapServers());
    c.put("state.dir", work.resolve("state-" + mode + "-" + round).toString());
    c.put("ingest.topic", "ingest-" + mode + "-" + round);
    c.put("milvus.uri", lite.uri());
    c.put("milvus.collection", "ingest_" + mode + "_" + round);
    c.put("record.id.strategy", "field");
    c.put("record.id.field", "id");
    c.put("health.port", "-1");
    c.put("model.mode", mode);
    c.put("write.batch.max.records", Integer.toString(WRITE_BATCH));
    c.put("model.threads", Integer.toString(THREADS));
    c.put("model.concurrent.runs", Integer.toString(RUNS));
    c.put("ingest.prepare.ahead", Boolean.toString(PREPARE_AHEAD));
    return c;
  }

  /** Produces every record first, then times the app from RUNNING to the last record counted in Milvus. */
  private static double endToEnd(LocalKafka kafka, MilvusLite lite, Path work, String mode, String round,
                                 List<String> texts, List<Breakdown> breakdowns) throws Exception {
    Map<String, Object> config = appConfig(kafka, lite, work, mode, round);
    String topic = (String) config.get("ingest.topic");
    kafka.createTopics(List.of(new NewTopic(topic, 1, (short) 1)));
    ObjectMapper json = new ObjectMapper();
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(kafka.producerConfig())) {
      for (int i = 0; i < texts.size(); i++) {
        Map<String, Object> value = Map.of("id", "m-" + i, "text", texts.get(i));
        producer.send(new ProducerRecord<>(topic, "m-" + i, json.writeValueAsString(value)));
      }
      producer.flush();
    }
    try (StreamsApp app = StreamsApp.start(new AppConfig(config));
         MemoryStore store = MemoryStore.connect(MilvusConfig.builder().uri(lite.uri())
             .collection((String) config.get("milvus.collection")).build())) {
      if (!app.awaitRunning(Duration.ofMinutes(2))) {
        throw new IllegalStateException("app did not reach RUNNING");
      }
      long start = System.nanoTime();
      CpuShare.Mark cpu = CpuShare.mark(lite.pid());
      long deadline = start + Duration.ofMinutes(20).toNanos();
      // Timed by the app's own count of stored memories (counted once Milvus acknowledged the upsert), read every
      // 20 ms at no cost to Milvus: polling count(*) ten times a second took a share of Lite's CPU that belongs
      // to the harness. Milvus's count is checked once at the end.
      // When the first record was stored and when all but the last partial batch were: the round's head and tail,
      // where the model has nothing to overlap with (printed per round: they are not where the model idles).
      long firstStored = 0;
      long allButTail = 0;
      int fullBatches = texts.size() - texts.size() % WRITE_BATCH;
      long ingested;
      while ((ingested = app.metrics().ingested()) < texts.size()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("only " + ingested + " of " + texts.size() + " stored");
        }
        if (firstStored == 0 && ingested > 0) {
          firstStored = System.nanoTime();
        }
        if (allButTail == 0 && ingested >= fullBatches) {
          allButTail = System.nanoTime();
        }
        Thread.sleep(20);
      }
      long end = System.nanoTime();
      firstStored = firstStored == 0 ? end : firstStored; // reached between two looks
      allButTail = allButTail == 0 ? end : allButTail;
      double rps = texts.size() / ((end - start) / 1e9);
      System.out.printf("round %s %-10s timeline: first record stored at %.2f s, all but the last %d at %.2f s,"
          + " all at %.2f s%n", round, mode, seconds(firstStored, start), texts.size() - fullBatches,
          seconds(allButTail, start), seconds(end, start));
      CpuShare used = cpu.since(texts.size()); // read before the check below adds a count(*) to Lite's time
      long held = store.count();
      if (held != texts.size()) {
        throw new IllegalStateException("the app counted " + texts.size() + " stored, Milvus holds " + held);
      }
      breakdowns.add(new Breakdown(app.metrics().embedDocumentsTimer().totalNanos() / 1e6 / texts.size(),
          app.metrics().upsertTimer().totalNanos() / 1e6 / texts.size(), used));
      return rps;
    }
  }

  /** One end-to-end round per record: the app's model and store timers (stream threads), and CPU by process. */
  private record Breakdown(double modelMsPerRecord, double storeMsPerRecord, CpuShare cpu) {}

  /** Seconds from {@code start} to {@code at}, both System.nanoTime(). */
  private static double seconds(long at, long start) {
    return (at - start) / 1e9;
  }

  private static double round2(double v) {
    return Math.round(v * 100) / 100.0;
  }

  private static double engineOnly(EmbeddingEngine engine, List<String> texts) {
    long start = System.nanoTime();
    embedAll(engine, texts);
    return texts.size() / ((System.nanoTime() - start) / 1e9);
  }

  /** In the app's write batches, as its ingest writer calls the engine. */
  private static void embedAll(EmbeddingEngine engine, List<String> texts) {
    for (int from = 0; from < texts.size(); from += WRITE_BATCH) {
      engine.embedDocuments(texts.subList(from, Math.min(texts.size(), from + WRITE_BATCH)));
    }
  }

  private static double last(List<Double> values) {
    return values.get(values.size() - 1);
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }
}
