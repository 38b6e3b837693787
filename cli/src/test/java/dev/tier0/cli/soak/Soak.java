package dev.tier0.cli.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tier0.local.ConnectRestClient;
import dev.tier0.local.LocalKafka;
import dev.tier0.milvus.MilvusLite;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code bench/run soak}: tier0 in its production shape under faults (issue 15). In this JVM: a KRaft broker, Milvus
 * Lite (a subprocess), the input producer, the search load, the fault schedule and the verdict. In JVMs of their own:
 * two Connect workers of one distributed cluster running the packaged plugin ({@code tasks.max} 1, then 2, over a
 * 4-partition topic) and two streams-app instances of one application id on a second 4-partition topic, which also
 * serve the searches. Both pipelines get the same generated records ({@link SoakData}) into their own collection.
 *
 * <p>Faults, each once, in a seeded order, each when both pipelines have taken a seeded fraction of their input:
 * kill -9 of one Connect worker (restarted later), three REST restarts of every connector task, Milvus stopped for
 * {@code soak.milvus.outage.s} and started on the same data, kill -9 of one streams instance (restarted on an empty
 * state directory). Exit status 1 on any miss of the verdict; the figures go to {@code target/bench/soak.json}.
 *
 * <p>Options: {@code -Dsoak.records} (100,000), {@code -Dsoak.seed} (42), {@code -Dsoak.search.rate} (requests/s,
 * 2), {@code -Dsoak.milvus.outage.s} (30), {@code -Dsoak.scale.window.s} (seconds per scaling step, 20),
 * {@code -Dsoak.guarantee} (the streams app's processing.guarantee, exactly_once_v2).
 */
public final class Soak {
  static final String CONNECT_TOPIC = "soak.connect";
  static final String STREAMS_TOPIC = "soak.streams";
  static final String CONNECT_DLQ = "soak.connect.dlq";
  static final String STREAMS_DLQ = "soak.streams.dlq";
  static final String REQUESTS = "soak.search.requests";
  static final String REPLIES = "soak.search.replies";
  static final String CONNECTOR = "tier0-soak";
  static final String CONNECT_GROUP = "connect-" + CONNECTOR;
  static final String STREAMS_APP_ID = "soak-streams";
  static final String CONNECT_COLLECTION = "soak_connect";
  static final String STREAMS_COLLECTION = "soak_streams";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  final int records = Integer.getInteger("soak.records", 100_000);
  final long seed = Long.getLong("soak.seed", 42);
  final double searchRate = Double.parseDouble(System.getProperty("soak.search.rate", "2"));
  final int outageSeconds = Integer.getInteger("soak.milvus.outage.s", 30);
  final int scaleWindowSeconds = Integer.getInteger("soak.scale.window.s", 20);
  final String guarantee = System.getProperty("soak.guarantee", "exactly_once_v2");
  final double upfront = Double.parseDouble(System.getProperty("soak.upfront", "0.25"));
  final double produceRate = Double.parseDouble(System.getProperty("soak.produce.rate", "10"));
  final Path root = Path.of(System.getProperty("tier0.home", ".")).toAbsolutePath();
  final Path out = Path.of(System.getProperty("bench.out", "target/bench"));
  final long t0 = System.currentTimeMillis();
  final List<String> misses = new CopyOnWriteArrayList<>();
  final List<String> notes = new CopyOnWriteArrayList<>();
  final Map<String, Object> report = new LinkedHashMap<>();
  final List<Map<String, Object>> faults = new ArrayList<>();
  final String secret = "soak-secret-" + UUID.randomUUID();

  Path work;
  LocalKafka kafka;
  MilvusLite milvus;
  Admin admin;
  Progress progress;
  SearchLoad search;
  final ChildJvm[] workers = new ChildJvm[2];
  final int[] workerPorts = new int[2];
  final ChildJvm[] streams = new ChildJvm[2];
  final int[] healthPorts = new int[2];
  final int[] streamsStarts = new int[2];
  long connectEnd;
  long streamsEnd;
  SoakData data;

  public static void main(String[] args) throws Exception {
    Soak soak = new Soak();
    // a harness stopped by a signal must not leave its worker and app JVMs behind
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      for (ChildJvm jvm : new ChildJvm[] {soak.streams[0], soak.streams[1], soak.workers[0], soak.workers[1]}) {
        try {
          if (jvm != null) {
            jvm.kill();
          }
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "soak-children-stop"));
    int status;
    try {
      status = soak.run();
    } catch (Exception | AssertionError e) {
      e.printStackTrace();
      soak.misses.add("the run did not finish: " + e);
      status = 1;
    } finally {
      soak.shutdown();
    }
    System.exit(status);
  }

  long now() {
    return System.currentTimeMillis() - t0;
  }

  void log(String format, Object... args) {
    System.out.printf("[soak %6.1f s] %s%n", now() / 1000.0, String.format(format, args));
  }

  int run() throws Exception {
    Path plugin = root.resolve("connector/target/plugin");
    if (!Files.isRegularFile(plugin.resolve("tier0-connector/manifest.json"))) {
      throw new IllegalStateException("no packaged plugin under " + plugin + " (bench/run soak builds it)");
    }
    work = Files.createTempDirectory("tier0-soak-");
    log("work dir %s; %d records, seed %d, load average %s", work, records, seed, loadAverage());
    data = SoakData.generate(records, seed);
    log("input: %d live memories at the end (%d long), %d updates, %d deletes (%d tombstones, %d markers), %d poison",
        data.live.size(), data.longMemories, data.updates, data.deleted.size(), data.tombstones, data.markers,
        data.poison.size());

    kafka = LocalKafka.start();
    milvus = MilvusLite.start(work.resolve("milvus"));
    admin = Admin.create(kafka.adminConfig());
    kafka.createTopics(List.of(new NewTopic(CONNECT_TOPIC, 4, (short) 1), new NewTopic(STREAMS_TOPIC, 4, (short) 1),
        new NewTopic(CONNECT_DLQ, 1, (short) 1), new NewTopic(STREAMS_DLQ, 1, (short) 1),
        new NewTopic(REQUESTS, 4, (short) 1), new NewTopic(REPLIES, 1, (short) 1)));
    // A share of the input up front (the warm start and the scaling windows), the rest arriving at a steady rate
    // while the faults run, so that every fault meets a pipeline with records to take.
    int first = (int) (data.events.size() * upfront);
    produce(0, first, 0);
    connectEnd = data.events.size();
    streamsEnd = data.events.size();

    Path secrets = work.resolve("secrets.properties");
    Files.writeString(secrets, "milvus.token=" + secret + "\n");
    for (int i = 0; i < 2; i++) {
      workerPorts[i] = freePort();
      healthPorts[i] = freePort();
      workers[i] = new ChildJvm("connect-" + (i + 1), "org.apache.kafka.connect.cli.ConnectDistributed", "1g", work);
      streams[i] = new ChildJvm("streams-" + (i + 1), "dev.tier0.streams.StreamsApp", "1g", work);
    }
    progress = new Progress(this);
    progress.start();

    // warm start: one task, one streams instance
    long tStart = now();
    startWorker(0);
    startWorker(1);
    rest(0).createConnector(CONNECTOR, connectorConfig(1, secrets));
    startStreams(0);
    rest(0).awaitRunning(CONNECTOR, 1, Duration.ofMinutes(3));
    awaitStreamsHealthy(0, Duration.ofMinutes(3));
    search = new SearchLoad(kafka.bootstrapServers(), REQUESTS, REPLIES, t0);
    search.start(searchRate);
    report.put("startup_s", (now() - tStart) / 1000.0);
    log("topology up: 2 workers, connector with 1 task, 1 streams instance; searches at %.1f/s", searchRate);

    await("both pipelines warm (first records committed)", Duration.ofMinutes(5),
        () -> progress.connect() > 0 && progress.streams() > 0);
    // scaling, same run: 1 task / 1 instance, then 2 / 2, each for the same window
    long s1 = now();
    sleepSeconds(scaleWindowSeconds);
    long s1end = now();
    rest(0).createConnector(CONNECTOR, connectorConfig(2, secrets));
    startStreams(1);
    rest(0).awaitRunning(CONNECTOR, 2, Duration.ofMinutes(3));
    awaitStreamsHealthy(1, Duration.ofMinutes(3));
    sleepSeconds(5); // the group settles
    long s2 = now();
    sleepSeconds(scaleWindowSeconds);
    long s2end = now();
    Map<String, Object> scaling = new LinkedHashMap<>();
    scaling.put("connect_1_task_rps", progress.connectRate(s1, s1end));
    scaling.put("connect_2_tasks_rps", progress.connectRate(s2, s2end));
    scaling.put("streams_1_instance_rps", progress.streamsRate(s1, s1end));
    scaling.put("streams_2_instances_rps", progress.streamsRate(s2, s2end));
    scaling.put("window_s", scaleWindowSeconds);
    scaling.put("load_average", loadAverage());
    report.put("scaling", scaling);
    log("scaling: %s", scaling);

    Thread paced = new Thread(() -> produce(first, data.events.size(), produceRate), "soak-producer");
    paced.start();
    runFaults(secrets);
    paced.join();

    await("both pipelines committed their whole topic", Duration.ofMinutes(60),
        () -> progress.connect() >= connectEnd && progress.streams() >= streamsEnd);
    long ingestDone = now();
    report.put("ingest_done_s", ingestDone / 1000.0);
    log("both topics committed to the end");
    search.stopSending();
    search.awaitReplies(Duration.ofMinutes(2));
    Verifier verifier = new Verifier(milvus.uri(), data);
    List<String> connectProblems = verifier.awaitConverged(CONNECT_COLLECTION, Duration.ofMinutes(5));
    List<String> streamsProblems = verifier.awaitConverged(STREAMS_COLLECTION, Duration.ofMinutes(5));
    connectProblems.forEach(p -> misses.add("connector: " + p));
    streamsProblems.forEach(p -> misses.add("streams: " + p));
    report.put("connect_collection", verifier.summary(CONNECT_COLLECTION));
    report.put("streams_collection", verifier.summary(STREAMS_COLLECTION));
    new DeadLetters(kafka.bootstrapServers(), data).check(CONNECT_DLQ, "__connect.errors.exception.message",
        "connector", misses, report);
    new DeadLetters(kafka.bootstrapServers(), data).check(STREAMS_DLQ, "__streams.errors.message", "streams",
        misses, report);
    searchVerdict(ingestDone);
    checkSecret(secrets);
    return finish();
  }

  /** Events [from, to) to both topics; {@code perSecond} 0: as fast as the producer goes. */
  private void produce(int from, int to, double perSecond) {
    Map<String, Object> config = kafka.producerConfig();
    config.put("linger.ms", 20);
    config.put("batch.size", 262_144);
    config.put("max.request.size", 1_048_576 * 2);
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
      long started = System.nanoTime();
      for (int i = from; i < to; i++) {
        SoakData.Event e = data.events.get(i);
        producer.send(new ProducerRecord<>(CONNECT_TOPIC, e.key(), e.value()));
        producer.send(new ProducerRecord<>(STREAMS_TOPIC, e.key(), e.value()));
        if (perSecond > 0) {
          long due = started + (long) ((i - from + 1) * 1e9 / perSecond);
          long wait = due - System.nanoTime();
          if (wait > 0) {
            try {
              Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            } catch (InterruptedException ex) {
              Thread.currentThread().interrupt();
              return;
            }
          }
        }
      }
      producer.flush();
    }
    log("produced records %d..%d to each of %s and %s", from, to, CONNECT_TOPIC, STREAMS_TOPIC);
  }

  Map<String, String> workerConfig(int i) {
    Map<String, String> p = new HashMap<>();
    p.put("bootstrap.servers", kafka.bootstrapServers());
    p.put("group.id", "soak-connect");
    p.put("config.storage.topic", "soak-connect-configs");
    p.put("offset.storage.topic", "soak-connect-offsets");
    p.put("status.storage.topic", "soak-connect-status");
    p.put("config.storage.replication.factor", "1");
    p.put("offset.storage.replication.factor", "1");
    p.put("status.storage.replication.factor", "1");
    p.put("listeners", "http://127.0.0.1:" + workerPorts[i]);
    p.put("rest.advertised.host.name", "127.0.0.1");
    p.put("rest.advertised.port", Integer.toString(workerPorts[i]));
    p.put("plugin.path", root.resolve("connector/target/plugin").toString());
    p.put("plugin.discovery", "service_load");
    // a dead worker's tasks move at once instead of waiting up to 5 minutes for it to return
    p.put("scheduled.rebalance.max.delay.ms", "0");
    p.put("offset.flush.interval.ms", "2000");
    p.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
    p.put("value.converter", "org.apache.kafka.connect.storage.StringConverter");
    // the token comes from a file through Connect's config provider: never in the config topic or the REST API
    p.put("config.providers", "file,env");
    p.put("config.providers.file.class", "org.apache.kafka.common.config.provider.FileConfigProvider");
    p.put("config.providers.env.class", "org.apache.kafka.common.config.provider.EnvVarConfigProvider");
    return p;
  }

  Map<String, String> connectorConfig(int tasks, Path secrets) {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("connector.class", "dev.tier0.connect.Tier0SinkConnector");
    c.put("tasks.max", Integer.toString(tasks));
    c.put("topics", CONNECT_TOPIC);
    c.put("model.execution.provider", "cpu");
    c.put("milvus.uri", milvus.uri());
    c.put("milvus.token", "${file:" + secrets + ":milvus.token}");
    c.put("milvus.collection", CONNECT_COLLECTION);
    c.put("record.text.field", "text");
    c.put("record.id.strategy", "field");
    c.put("record.id.field", "id");
    c.put("record.tenant.field", "tenant");
    c.put("record.delete.field", SoakData.DELETE_FIELD);
    c.put("delete.on.tombstone", "true");
    c.put("errors.tolerance", "all");
    c.put("errors.deadletterqueue.topic.name", CONNECT_DLQ);
    c.put("errors.deadletterqueue.topic.replication.factor", "1");
    c.put("errors.deadletterqueue.context.headers.enable", "true");
    c.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
    c.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
    c.put("value.converter.schemas.enable", "false");
    return c;
  }

  Map<String, String> streamsConfig(int i) {
    Map<String, String> c = new HashMap<>();
    c.put("application.id", STREAMS_APP_ID);
    c.put("bootstrap.servers", kafka.bootstrapServers());
    c.put("processing.guarantee", guarantee);
    c.put("state.dir", work.resolve("state-" + (i + 1) + "-" + streamsStarts[i]).toString());
    c.put("ingest.topic", STREAMS_TOPIC);
    c.put("search.request.topic", REQUESTS);
    c.put("search.reply.topic", REPLIES);
    c.put("errors.dead.letter.queue.topic.name", STREAMS_DLQ);
    c.put("model.execution.provider", "cpu");
    c.put("milvus.uri", milvus.uri());
    c.put("milvus.collection", STREAMS_COLLECTION);
    c.put("record.text.field", "text");
    c.put("record.id.strategy", "field");
    c.put("record.id.field", "id");
    c.put("record.tenant.field", "tenant");
    c.put("record.delete.field", SoakData.DELETE_FIELD);
    c.put("delete.on.tombstone", "true");
    c.put("health.host", "127.0.0.1");
    c.put("health.port", Integer.toString(healthPorts[i]));
    return c;
  }

  void startWorker(int i) throws InterruptedException {
    workers[i].start(workerConfig(i));
    ConnectRestClient rest = rest(i);
    await(workers[i].name() + " healthy", Duration.ofMinutes(3), () -> {
      if (!workers[i].isAlive()) {
        throw new IllegalStateException(workers[i].name() + " exited; see " + workers[i].logFile());
      }
      return rest.isHealthy();
    });
  }

  ConnectRestClient rest(int i) {
    return new ConnectRestClient(URI.create("http://127.0.0.1:" + workerPorts[i] + "/"));
  }

  void startStreams(int i) {
    streamsStarts[i]++;
    streams[i].start(streamsConfig(i));
  }

  void awaitStreamsHealthy(int i, Duration timeout) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    URI health = URI.create("http://127.0.0.1:" + healthPorts[i] + "/health");
    await(streams[i].name() + " running", timeout, () -> {
      if (!streams[i].isAlive()) {
        throw new IllegalStateException(streams[i].name() + " exited; see " + streams[i].logFile());
      }
      try {
        return http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
      } catch (IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    });
  }

  // ---- faults -------------------------------------------------------------------------------------------------

  private void runFaults(Path secrets) throws Exception {
    Random r = new Random(seed);
    // The connector ingests faster than the streams app here (it does not also serve searches), so the faults that
    // hit it (and Milvus, which both use) fire on its own progress, in a seeded order at 20-70 % of its topic; the
    // streams kill fires at 45-65 % of the streams topic. Each fault ends before the next is awaited.
    List<String> order = new ArrayList<>(List.of("kill -9 connect worker", "restart connector tasks x3",
        "milvus outage"));
    Collections.shuffle(order, r);
    order.add("kill -9 streams instance");
    double[] at = {0.20 + r.nextDouble() * 0.1, 0.40 + r.nextDouble() * 0.1, 0.60 + r.nextDouble() * 0.1,
        0.45 + r.nextDouble() * 0.2};
    report.put("fault_order", order);
    for (int i = 0; i < order.size(); i++) {
      double fraction = at[i];
      String name = order.get(i);
      boolean onStreams = name.contains("streams");
      java.util.function.DoubleSupplier progressOf = onStreams ? progress::streamsFraction : progress::connectFraction;
      boolean reached = awaitQuietly(() -> progressOf.getAsDouble() >= fraction, Duration.ofMinutes(60));
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("fault", name);
      f.put("connect_fraction", Math.round(progress.connectFraction() * 1000) / 1000.0);
      f.put("streams_fraction", Math.round(progress.streamsFraction() * 1000) / 1000.0);
      if (!reached || progressOf.getAsDouble() >= 0.999) {
        notes.add(name + ": its pipeline had already committed its whole topic when it fired");
      }
      long start = now();
      f.put("start_s", start / 1000.0);
      log("fault %d/%d at %.0f %% (connector) / %.0f %% (streams) of the input: %s", i + 1, order.size(),
          progress.connectFraction() * 100, progress.streamsFraction() * 100, name);
      switch (name) {
        case "kill -9 connect worker" -> killWorker(r.nextInt(2), f);
        case "restart connector tasks x3" -> restartTasks(f);
        case "milvus outage" -> milvusOutage(f);
        case "kill -9 streams instance" -> killStreams(r.nextInt(2), f);
        default -> throw new IllegalStateException(name);
      }
      long end = now();
      f.put("end_s", end / 1000.0);
      recovery(f, start, end, name);
      faults.add(f);
      log("fault done: %s", f);
    }
    report.put("faults", faults);
  }

  private void killWorker(int victim, Map<String, Object> f) throws Exception {
    int survivor = 1 - victim;
    String survivorId = "127.0.0.1:" + workerPorts[survivor];
    workers[victim].kill();
    long killed = now();
    f.put("victim", workers[victim].name());
    await("every task running on the survivor " + survivorId, Duration.ofMinutes(5), () -> {
      JsonNode status = statusJson(survivor);
      if (status == null || status.path("tasks").size() != 2) {
        return false;
      }
      for (JsonNode t : status.path("tasks")) {
        if (!"RUNNING".equals(t.path("state").asText()) || !survivorId.equals(t.path("worker_id").asText())) {
          return false;
        }
      }
      return true;
    });
    f.put("tasks_moved_after_s", (now() - killed) / 1000.0);
    sleepSeconds(15);
    startWorker(victim);
    f.put("restarted_worker_at_s", now() / 1000.0);
    rest(survivor).awaitRunning(CONNECTOR, 2, Duration.ofMinutes(3));
  }

  private JsonNode statusJson(int worker) {
    try {
      HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
          "http://127.0.0.1:" + workerPorts[worker] + "/connectors/" + CONNECTOR + "/status"))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private int liveWorker() {
    return workers[0].isAlive() ? 0 : 1;
  }

  private void restartTasks(Map<String, Object> f) throws Exception {
    List<Double> times = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      long t = now();
      ConnectRestClient rest = rest(liveWorker());
      rest.restartTask(CONNECTOR, 0);
      rest.restartTask(CONNECTOR, 1);
      rest.awaitRunning(CONNECTOR, 2, Duration.ofMinutes(3));
      times.add((now() - t) / 1000.0);
      sleepSeconds(5);
    }
    f.put("restart_to_running_s", times);
  }

  private void milvusOutage(Map<String, Object> f) throws Exception {
    milvus.stop();
    long stopped = now();
    f.put("outage_start_s", stopped / 1000.0);
    sleepSeconds(outageSeconds);
    milvus.restart();
    f.put("outage_end_s", now() / 1000.0);
    f.put("outage_s", (now() - stopped) / 1000.0);
  }

  private void killStreams(int victim, Map<String, Object> f) throws Exception {
    streams[victim].kill();
    f.put("victim", streams[victim].name());
    sleepSeconds(5);
    startStreams(victim); // a new state directory: nothing restored locally, everything from the changelog
    awaitStreamsHealthy(victim, Duration.ofMinutes(5));
    f.put("restarted_running_at_s", now() / 1000.0);
  }

  /** Throughput before, during and after the fault, and when each pipeline's committed offsets moved again. */
  private void recovery(Map<String, Object> f, long start, long end, String name) throws InterruptedException {
    long connectAtEnd = progress.connect();
    long streamsAtEnd = progress.streams();
    boolean connectMoves = awaitQuietly(() -> progress.connect() > connectAtEnd || progress.connect() >= connectEnd,
        Duration.ofMinutes(5));
    long connectBack = now();
    boolean streamsMoves = awaitQuietly(() -> progress.streams() > streamsAtEnd || progress.streams() >= streamsEnd,
        Duration.ofMinutes(5));
    long streamsBack = now();
    if (!connectMoves) {
      misses.add(name + ": the connector committed nothing for 5 minutes after the fault");
    }
    if (!streamsMoves) {
      misses.add(name + ": the streams app committed nothing for 5 minutes after the fault");
    }
    f.put("connect_recovered_after_s", (connectBack - start) / 1000.0);
    f.put("streams_recovered_after_s", (streamsBack - start) / 1000.0);
    sleepSeconds(15);
    long after = now();
    f.put("connect_rps_before", progress.connectRate(start - 15_000, start));
    f.put("connect_rps_during", progress.connectRate(start, Math.max(end, start + 1000)));
    f.put("connect_rps_after", progress.connectRate(after - 15_000, after));
    f.put("streams_rps_before", progress.streamsRate(start - 15_000, start));
    f.put("streams_rps_during", progress.streamsRate(start, Math.max(end, start + 1000)));
    f.put("streams_rps_after", progress.streamsRate(after - 15_000, after));
    f.put("load_average", loadAverage());
  }

  // ---- verdict ------------------------------------------------------------------------------------------------

  private void searchVerdict(long ingestDone) {
    List<SearchLoad.Request> all = search.all();
    long outageStart = -1;
    long outageEnd = -1;
    for (Map<String, Object> f : faults) {
      if (f.containsKey("outage_start_s")) {
        outageStart = (long) ((double) f.get("outage_start_s") * 1000);
        outageEnd = (long) ((double) f.get("outage_end_s") * 1000);
      }
    }
    int missing = 0;
    int duplicated = 0;
    int hits = 0;
    int retriableInOutage = 0;
    int badErrors = 0;
    Map<String, Integer> errors = new HashMap<>();
    List<Long> underLoad = new ArrayList<>();
    List<Long> allLatencies = new ArrayList<>();
    for (SearchLoad.Request q : all) {
      if (q.replies == 0) {
        missing++;
        continue;
      }
      if (q.replies > 1) {
        duplicated++;
      }
      allLatencies.add(q.latencyMs);
      if ("hits".equals(q.outcome)) {
        hits++;
        if (q.sentMs < ingestDone && !inFault(q.sentMs)) {
          underLoad.add(q.latencyMs);
        }
        continue;
      }
      errors.merge(q.outcome, 1, Integer::sum);
      // the store was down from outageStart; a reply computed up to 30 s after it came back may still say so
      boolean inOutage = outageStart >= 0 && q.replyAtMs >= outageStart && q.sentMs <= outageEnd + 30_000;
      if (q.retriable && inOutage) {
        retriableInOutage++;
      } else {
        badErrors++;
      }
    }
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("requests", all.size());
    s.put("hits", hits);
    s.put("retriable_errors_during_outage", retriableInOutage);
    s.put("other_errors", badErrors);
    s.put("errors_by_code", errors);
    s.put("missing_replies", missing);
    s.put("duplicate_replies", duplicated);
    s.put("replies_to_unknown_ids", search.unknownReplies);
    s.put("p50_ms_under_ingest", percentile(underLoad, 50));
    s.put("p99_ms_under_ingest", percentile(underLoad, 99));
    s.put("samples_under_ingest", underLoad.size());
    s.put("p50_ms_all", percentile(allLatencies, 50));
    s.put("p99_ms_all", percentile(allLatencies, 99));
    s.put("max_ms_all", allLatencies.stream().mapToLong(Long::longValue).max().orElse(-1));
    report.put("search", s);
    if (missing > 0) {
      misses.add("search: " + missing + " of " + all.size() + " requests got no reply");
    }
    if (duplicated > 0) {
      misses.add("search: " + duplicated + " requests got more than one reply");
    }
    if (badErrors > 0) {
      misses.add("search: " + badErrors + " error replies outside the Milvus outage or not retriable: " + errors);
    }
  }

  private boolean inFault(long ms) {
    for (Map<String, Object> f : faults) {
      double s = (double) f.get("start_s") * 1000;
      double e = (double) f.get("end_s") * 1000 + 15_000;
      if (ms >= s && ms <= e) {
        return true;
      }
    }
    return false;
  }

  static double percentile(List<Long> values, int p) {
    if (values.isEmpty()) {
      return -1;
    }
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }

  /** The token reached the connector through the file provider: it must be in no log, no REST answer. */
  private void checkSecret(Path secrets) throws IOException {
    Map<String, Object> s = new LinkedHashMap<>();
    for (ChildJvm jvm : List.of(workers[0], workers[1], streams[0], streams[1])) {
      if (Files.exists(jvm.logFile()) && Files.readString(jvm.logFile()).contains(secret)) {
        misses.add("the milvus.token value appears in " + jvm.logFile());
      }
    }
    int live = liveWorker();
    try {
      HttpResponse<String> config = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
          "http://127.0.0.1:" + workerPorts[live] + "/connectors/" + CONNECTOR + "/config")).build(),
          HttpResponse.BodyHandlers.ofString());
      String token = JSON.readTree(config.body()).path("milvus.token").asText();
      s.put("rest_milvus_token", token);
      if (config.body().contains(secret) || !token.startsWith("${file:")) {
        misses.add("the connector config from REST holds the token itself, not the placeholder: " + token);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    s.put("token_in_logs", false);
    report.put("secrets", s);
  }

  // ---- report -------------------------------------------------------------------------------------------------

  private int finish() throws IOException {
    Map<String, Object> rss = new LinkedHashMap<>();
    for (ChildJvm jvm : List.of(workers[0], workers[1], streams[0], streams[1])) {
      jvm.sampleRss();
      rss.put(jvm.name(), jvm.peakRssMib());
    }
    rss.put("harness (broker, producer, searches)", ChildJvm.vmHwmKib(ProcessHandle.current().pid()) / 1024);
    report.put("peak_rss_mib", rss);
    report.put("records", records);
    report.put("seed", seed);
    report.put("processing_guarantee", guarantee);
    report.put("produced_up_front", upfront);
    report.put("produce_rate_per_topic", produceRate);
    report.put("input", Map.of("live", data.live.size(), "long", data.longMemories, "updates", data.updates,
        "tombstones", data.tombstones, "markers", data.markers, "poison", data.poison.size(),
        "poison_kinds", SoakData.POISON_KINDS));
    report.put("connect_overall_rps", progress.connectRate(0, now()));
    report.put("load_average_end", loadAverage());
    report.put("cores", Runtime.getRuntime().availableProcessors());
    report.put("notes", notes);
    report.put("misses", misses);
    report.put("verdict", misses.isEmpty() ? "pass" : "fail");
    report.put("finished", Instant.now().toString());
    Files.createDirectories(out);
    JSON.writeValue(out.resolve("soak.json").toFile(), report);
    Table.print(report, faults);
    System.out.println(misses.isEmpty() ? "VERDICT: pass" : "VERDICT: FAIL");
    misses.forEach(m -> System.out.println("  MISS " + m));
    notes.forEach(n -> System.out.println("  note " + n));
    System.out.println("wrote " + out.resolve("soak.json") + "; logs in " + work);
    return misses.isEmpty() ? 0 : 1;
  }

  void shutdown() {
    if (search != null) {
      search.close();
    }
    if (progress != null) {
      progress.stop();
    }
    for (ChildJvm jvm : new ChildJvm[] {streams[0], streams[1], workers[0], workers[1]}) {
      try {
        if (jvm != null && !jvm.terminate(60)) {
          System.out.println(jvm.name() + " did not stop within 60 s of SIGTERM");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (admin != null) {
      admin.close();
    }
    if (milvus != null) {
      milvus.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  // ---- helpers ------------------------------------------------------------------------------------------------

  long endOffsets(String topic) throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int p = 0; p < 4; p++) {
      latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    return admin.listOffsets(latest).all().get().values().stream().mapToLong(o -> o.offset()).sum();
  }

  long committed(String group) {
    try {
      Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
      return offsets.values().stream().filter(o -> o != null).mapToLong(OffsetAndMetadata::offset).sum();
    } catch (Exception e) {
      return -1;
    }
  }

  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException e) {
      return "?";
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static void sleepSeconds(int s) throws InterruptedException {
    Thread.sleep(s * 1000L);
  }

  static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
    if (!awaitQuietly(condition, timeout)) {
      throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
    }
  }

  static boolean awaitQuietly(BooleanSupplier condition, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(250);
    }
    return true;
  }
}
