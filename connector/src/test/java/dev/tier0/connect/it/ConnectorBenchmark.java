package dev.tier0.connect.it;

import static dev.tier0.connect.it.SinkStack.record;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tier0.ingest.bench.CpuShare;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bench/run connector: records/s from topic to Milvus through the packaged plugin (Connect worker, MiniLM,
 * Milvus Lite), against the engine alone on the same texts, interleaved round by round; medians of the rounds.
 * Prints a table and writes {@code <tier0.home>/target/bench/connector.json}. Not part of the test suite (its
 * name does not end in IT); run it with {@code -Dit.test=ConnectorBenchmark}.
 *
 * <p>The engine-only figure comes from a separate JVM ({@link EmbedTexts}): the worker in this JVM holds the
 * tokenizer's native library in the plugin's class loader, and the JVM cannot load it into a second one. It
 * embeds the same texts in the sink's write batches (write.batch.max.records) after a warm-up pass over the first
 * 1,000.
 *
 * <p>The end-to-end side is timed after {@code -Dtier0.bench.warmups} (default 3) untimed runs of the same records
 * through the same worker: the JIT compiles the worker's paths (Connect, the broker in this JVM, the Milvus SDK's
 * gRPC, the sink) over the first ~20,000 records, and a long-running worker pays that once. Each round line gives
 * the JIT's compile time during its end-to-end side. Each run has a connector and a collection of its own, so the
 * collection holds one run's records: into one collection growing across runs, Milvus Lite took 3.5 times the CPU
 * a record on the same cores (bench/README.md).
 */
class ConnectorBenchmark {
  private static final int RECORDS = Integer.getInteger("tier0.bench.records", 5_000);
  private static final int ROUNDS = Integer.getInteger("tier0.bench.rounds", 3);
  private static final int TASKS = Integer.getInteger("tier0.bench.tasks", 1);
  private static final int WRITE_BATCH = Integer.getInteger("tier0.bench.write.batch", 256);
  /** model.mode of the sink (auto = throughput in the connector); the engine-only side runs the same mode. */
  private static final String MODE = System.getProperty("tier0.bench.mode", "auto");
  /**
   * model.threads of the sink and the engine-only side's intra-op threads per run (0: the engine's choice). With
   * fewer than the machine's cores, the store and the broker get cores the engine does not use: what the ratio is
   * where Milvus does not share the engine's cores.
   */
  private static final int THREADS = Integer.getInteger("tier0.bench.threads", 0);
  private static final double FLOOR = 0.9;
  /** Untimed end-to-end runs before the rounds (see the class comment). */
  private static final int WARM_UPS = Integer.getInteger("tier0.bench.warmups", 3);

  @TempDir
  Path work;

  @Test
  void measureEndToEndAgainstTheEngineAlone() throws Exception {
    List<String> texts = IntStream.range(0, RECORDS).mapToObj(Corpus::text).toList();
    List<Double> e2e = new ArrayList<>();
    List<Double> engine = new ArrayList<>();
    List<CpuShare> cpu = new ArrayList<>();
    List<Double> warmUps = new ArrayList<>();
    List<Long> jitE2e = new ArrayList<>();
    try (SinkStack stack = SinkStack.start(work)) {
      // The worker's own code paths (Connect, the sink, the store client) are JIT-compiled over its first runs in a
      // JVM; the engine-only side warms up before it is timed, so the end-to-end side does too: WARM_UPS untimed
      // runs. The first one's connector stays (idle) through the rounds, so the worker keeps the shared model it
      // warmed, as a long-running worker does: each round's task then shares that session instead of loading a
      // cold one.
      for (int w = 1; w <= WARM_UPS; w++) {
        long jit = CpuShare.jitCompileMs();
        double rps = endToEnd(stack, "w" + w, texts, new ArrayList<>(), w == 1);
        warmUps.add(rps);
        System.out.printf("warm-up %d: e2e %.1f records/s; JIT compiling %d ms%n", w, rps,
            CpuShare.jitCompileMs() - jit);
      }
      for (int round = 1; round <= ROUNDS; round++) {
        // alternate which side goes first, so a drift in the machine's load does not favour one side
        if (round % 2 == 1) {
          engine.add(engineOnly(texts));
        }
        long jit = CpuShare.jitCompileMs();
        e2e.add(endToEnd(stack, Integer.toString(round), texts, cpu, false));
        jit = CpuShare.jitCompileMs() - jit; // the worker is in this JVM; the engine side is a JVM of its own
        if (round % 2 == 0) {
          engine.add(engineOnly(texts));
        }
        jitE2e.add(jit);
        System.out.printf("round %d: e2e %.1f records/s, engine only %.1f texts/s; JIT compiling %d ms during e2e%n",
            round, e2e.get(round - 1), engine.get(round - 1), jit);
      }
    }
    double e2eMedian = median(e2e);
    double engineMedian = median(engine);
    // Each round's pair ran back to back under the same load: the median of their ratios is the robust figure.
    double ratio = median(IntStream.range(0, ROUNDS).mapToObj(r -> e2e.get(r) / engine.get(r)).toList());
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("benchmark", "connector");
    result.put("model", "all-minilm-l6-v2 (bundled)");
    result.put("records", RECORDS);
    result.put("rounds", ROUNDS);
    result.put("tasks", TASKS);
    result.put("model_mode", MODE);
    result.put("engine_mode", engineMode());
    result.put("model_threads", THREADS);
    result.put("write_batch_max_records", WRITE_BATCH);
    result.put("cpus", Runtime.getRuntime().availableProcessors());
    result.put("e2e_rps", round1(e2eMedian));
    result.put("engine_only_rps", round1(engineMedian));
    result.put("ratio", Math.round(ratio * 1000) / 1000.0);
    result.put("ratio_definition", "median over rounds of e2e_rps / engine_only_rps, each pair measured back to back");
    result.put("floor", FLOOR);
    // Where the cores went during end to end (the median round), and the ratio end to end would reach with no core
    // ever idle (CpuShare): on a machine whose cores the store shares, the floor is out of reach when it is below.
    int medianRound = IntStream.range(0, ROUNDS).boxed()
        .sorted(java.util.Comparator.comparingDouble(e2e::get)).toList().get(ROUNDS / 2);
    CpuShare cpuMedian = cpu.get(medianRound);
    int engineCores = CpuShare.coresTheEngineTakes(engineMode(), THREADS);
    double engineCoreMs = engineCores * 1000 / engine.get(medianRound);
    Double bound = cpuMedian.ratioIfNoCoreIdle(engine.get(medianRound), engineMode(), THREADS);
    Map<String, Object> perRecord = new LinkedHashMap<>();
    perRecord.put("e2e_cpu_ms_worker_jvm", round2(cpuMedian.jvmMsPerRecord()));
    perRecord.put("e2e_cpu_ms_milvus_lite", round2(cpuMedian.liteMsPerRecord()));
    perRecord.put("engine_only_core_ms_at_most", round2(engineCoreMs));
    perRecord.put("e2e_cpu_ms_worker_jvm_by_thread", cpuMedian.jvmThreadsMsPerRecord());
    result.put("per_record_median_round", perRecord);
    result.put("ratio_if_no_core_idle", bound == null ? null : Math.round(bound * 1000) / 1000.0);
    result.put("e2e_rps_rounds", e2e.stream().map(ConnectorBenchmark::round1).toList());
    result.put("engine_only_rps_rounds", engine.stream().map(ConnectorBenchmark::round1).toList());
    result.put("jit_ms_e2e_rounds", jitE2e);
    result.put("warm_ups", WARM_UPS);
    result.put("warm_up_e2e_rps", warmUps.stream().map(ConnectorBenchmark::round1).toList());
    Path out = Path.of(System.getProperty("tier0.home", ".."), "target", "bench", "connector.json");
    Files.createDirectories(out.getParent());
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), result);

    System.out.println();
    System.out.println("connector benchmark (" + RECORDS + " records, median of " + ROUNDS + " rounds, " + TASKS
        + " task(s), " + result.get("cpus") + " cpus, engine " + engineMode() + " mode)");
    System.out.printf("  %-34s %10s%n", "measure", "records/s");
    System.out.printf("  %-34s %10.1f%n", "end to end (topic -> Milvus)", e2eMedian);
    System.out.printf("  %-34s %10.1f%n", "engine only (same texts)", engineMedian);
    System.out.printf("  %-34s %10.3f   (floor %.1f; median of per-round ratios)%n", "ratio", ratio, FLOOR);
    System.out.printf("  per record (median round): CPU end to end %.2f ms (worker JVM %.2f, Milvus Lite %.2f); "
        + "engine alone at most %.2f core-ms on %d core(s)%s%n",
        cpuMedian.msPerRecord(), cpuMedian.jvmMsPerRecord(), cpuMedian.liteMsPerRecord(), engineCoreMs, engineCores,
        bound == null ? "" : String.format("; ratio with no core idle %.3f", bound));
    System.out.println("  worker JVM CPU ms a record by thread (median round): " + cpuMedian.jvmThreadsMsPerRecord());
    System.out.println("  written to " + out);
  }

  private double engineOnly(List<String> texts) throws Exception {
    return texts.size()
        / (SeparateJvmEmbedder.embed(texts, WRITE_BATCH, false, work, engineMode(), THREADS).elapsedMs() / 1000);
  }

  /** The engine mode both sides run: what model.mode=auto means in the connector, or the one asked for. */
  private static String engineMode() {
    // Tier0SinkTask.AUTO_MODE: the plugin's classes are only in the worker's plugin class loader, not on this
    // test's class path, so the value is repeated here
    return MODE.equals("auto") ? "throughput" : MODE;
  }

  /** Produces the records first, then times the sink from RUNNING (model loaded) to the last record stored. */
  private static double endToEnd(SinkStack stack, String round, List<String> texts, List<CpuShare> cpu,
      boolean keepRunning) throws Exception {
    String topic = "bench-" + round;
    String collection = "bench_" + round;
    stack.kafka.createTopics(List.of(new NewTopic(topic, Math.max(1, TASKS), (short) 1)));
    List<ProducerRecord<String, String>> records = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      records.add(record(topic, "b-" + i, Corpus.value(i, texts.get(i))));
    }
    stack.produce(topic, records);
    Map<String, String> config = stack.sinkConfig(topic, collection, TASKS);
    config.put("write.batch.max.records", Integer.toString(WRITE_BATCH));
    config.put("model.mode", MODE);
    config.put("model.threads", Integer.toString(THREADS));
    config.put("write.max.buffered.records", Integer.toString(Math.max(2048, 4 * WRITE_BATCH)));
    long storedBefore = memoriesStored();
    stack.connect.createConnector(topic, config);
    try {
      stack.connect.awaitRunning(topic, TASKS, Duration.ofMinutes(2));
      long start = System.nanoTime();
      CpuShare.Mark mark = CpuShare.mark(stack.milvus.pid());
      // Timed by the sink's own JMX count of stored memories (counted once Milvus acknowledged the upsert), read
      // every 20 ms at no cost to Milvus: polling count(*) four times a second took a share of Lite's CPU that
      // belongs to the harness, not to the pipeline. Milvus's count is checked once at the end.
      long deadline = start + Duration.ofMinutes(10).toNanos();
      long firstStored = 0;
      long stored;
      while ((stored = memoriesStored() - storedBefore) < texts.size()) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("the sink stored " + stored + " of " + texts.size());
        }
        if (firstStored == 0 && stored > 0) {
          firstStored = System.nanoTime();
        }
        Thread.sleep(20);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      // Where the start goes: the consumer joining its group and fetching, then the first batch's model call
      System.out.printf("  round %s: first record stored at %.2f s of %.2f s%n", round,
          (firstStored == 0 ? System.nanoTime() - start : firstStored - start) / 1e9, seconds);
      cpu.add(mark.since(texts.size()));
      stack.awaitCount(collection, c -> c == texts.size(), Duration.ofMinutes(2));
      return texts.size() / seconds;
    } finally {
      if (!keepRunning) {
        stack.connect.deleteConnector(topic);
      }
    }
  }

  /** The sink's SinkMetrics MBean's MemoriesStored (all tasks of the plugin in this worker), 0 before the first. */
  private static long memoriesStored() throws Exception {
    var server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
    long stored = 0;
    for (var name : server.queryNames(new javax.management.ObjectName("dev.tier0.connect:type=SinkMetrics,*"), null)) {
      stored += ((Number) server.getAttribute(name, "MemoriesStored")).longValue();
    }
    return stored;
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static double round2(double v) {
    return Math.round(v * 100) / 100.0;
  }

  private static double round1(double v) {
    return Math.round(v * 10) / 10.0;
  }
}
