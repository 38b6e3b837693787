package dev.tier0.local;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka (combined KRaft broker + controller) running inside this JVM, for integration tests and for
 * the one-command local run. Listens on loopback only. {@link #close()} is idempotent.
 *
 * <p>Started directly from {@link KafkaRaftServer} (rather than the test kit) so that it is runtime code, can keep
 * its data directory between runs, and has no JUnit dependency. Every single-node pitfall is handled in
 * {@link #brokerProperties}.
 */
public final class LocalKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalKafka.class);
    private static final int NODE_ID = 1;
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final int START_ATTEMPTS = 3;

    private final KafkaRaftServer server;
    private final Path dataDir;
    private final boolean deleteDataDirOnClose;
    private final String bootstrapServers;
    private final AtomicBoolean closed = new AtomicBoolean();

    private LocalKafka(KafkaRaftServer server, Path dataDir, boolean deleteDataDirOnClose, int port) {
        this.server = server;
        this.dataDir = dataDir;
        this.deleteDataDirOnClose = deleteDataDirOnClose;
        this.bootstrapServers = "127.0.0.1:" + port;
    }

    /** Starts on free ports with a temporary data directory that is deleted on close (tests). */
    public static LocalKafka start() {
        try {
            return start(Files.createTempDirectory("tier0-kafka-"), 0, true);
        } catch (IOException e) {
            throw new LocalStackException("cannot create a temporary Kafka data directory", e);
        }
    }

    /**
     * Starts on {@code dataDir}, which is kept on close and reused by the next start (the one-command run).
     * {@code port} 0 picks a free port.
     */
    public static LocalKafka start(Path dataDir, int port) {
        return start(dataDir, port, false);
    }

    private static LocalKafka start(Path dataDir, int port, boolean deleteDataDirOnClose) {
        long started = System.nanoTime();
        RuntimeException lastFailure = null;
        // A free port found by FreePorts can be taken by another process before the broker binds it: retry then.
        for (int attempt = 1; attempt <= (port == 0 ? START_ATTEMPTS : 1); attempt++) {
            int brokerPort = port == 0 ? FreePorts.pick() : port;
            int controllerPort = FreePorts.pick();
            KafkaConfig config = KafkaConfig.fromProps(brokerProperties(dataDir, brokerPort, controllerPort), false);
            formatStorage(config, dataDir);
            KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
            try {
                server.startup();
            } catch (RuntimeException e) {
                shutdownQuietly(server);
                lastFailure = e;
                if (port == 0 && isBindFailure(e)) {
                    LOG.warn("Kafka could not bind port {} or {}, retrying on others", brokerPort, controllerPort);
                    continue;
                }
                break;
            }
            LocalKafka kafka = new LocalKafka(server, dataDir, deleteDataDirOnClose, brokerPort);
            kafka.awaitBrokerReady();
            LOG.info("Kafka started on {} in {} ms (data {})", kafka.bootstrapServers,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), dataDir);
            return kafka;
        }
        if (deleteDataDirOnClose) {
            deleteQuietly(dataDir);
        }
        throw new LocalStackException("Kafka did not start (data " + dataDir + ")", lastFailure);
    }

    /**
     * The broker configuration; each override below fixes something that breaks or slows a one-node cluster.
     */
    static Properties brokerProperties(Path dataDir, int brokerPort, int controllerPort) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + "," + CONTROLLER_LISTENER + "://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", dataDir.toString());

        // Internal topics default to replication factor 3 (min ISR 2). On one broker their creation fails, and
        // clients do not fail loudly: consumer groups never get a coordinator (consumers silently receive
        // nothing), transactional producers hang in initTransactions, share groups never start.
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        // One partition per internal topic instead of 50: creating them is what makes the first consumer group
        // or transaction slow on a fresh broker, and one node gains nothing from spreading them.
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.num.partitions", "1");
        p.put("num.partitions", "1");
        // The default waits 3 s for more members before the first rebalance of every new group (consumers and
        // Connect workers alike); alone on a laptop nobody else is coming.
        p.put("group.initial.rebalance.delay.ms", "0");
        // The log cleaner allocates its dedupe buffer (default 128 MiB) on the heap when it starts; a local
        // broker compacts only small internal topics (offsets, Connect configs), 2 MiB is plenty.
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(2 * 1024 * 1024));
        return p;
    }

    /** Writes meta.properties and the bootstrap metadata, as `kafka-storage.sh format` does. */
    private static void formatStorage(KafkaConfig config, Path dataDir) {
        // Kept data is already formatted; the Formatter's ignore-formatted mode still insists on the same
        // cluster id, which only the existing meta.properties knows, so leave such a directory alone.
        if (Files.exists(dataDir.resolve("meta.properties"))) {
            return;
        }
        try {
            Files.createDirectories(dataDir);
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(NODE_ID)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setDirectories(List.of(dataDir.toString()))
                    .setMetadataLogDirectory(config.metadataLogDir())
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .run();
        } catch (Exception e) {
            throw new LocalStackException("cannot format Kafka storage in " + dataDir, e);
        }
    }

    /** startup() returns once the broker is serving; one metadata round trip proves it answers clients. */
    private void awaitBrokerReady() {
        try (Admin admin = Admin.create(adminConfig())) {
            admin.describeCluster().nodes().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalStackException("interrupted while waiting for Kafka", e);
        } catch (ExecutionException | TimeoutException e) {
            close();
            throw new LocalStackException("Kafka started but does not answer on " + bootstrapServers, e);
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Creates single-partition topics; existing ones are left as they are. */
    public void createTopics(String... names) {
        createTopics(Arrays.stream(names).map(name -> new NewTopic(name, 1, (short) 1)).toList());
    }

    /**
     * Creates the given topics (replication factor must be 1 here); existing ones are left as they are. Returns once
     * the broker leads every partition of them, so the first write to each is not refused (see
     * {@link #awaitLeaders}).
     *
     * @throws LocalStackException when a topic cannot be created or its partitions have no leader within 30 s
     */
    public void createTopics(Collection<NewTopic> topics) {
        try (Admin admin = Admin.create(adminConfig())) {
            for (var entry : admin.createTopics(topics).values().entrySet()) {
                try {
                    entry.getValue().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new LocalStackException("cannot create topic " + entry.getKey(), e.getCause());
                    }
                }
            }
            awaitLeaders(admin, topics.stream().map(NewTopic::name).toList());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalStackException("interrupted while creating topics", e);
        } catch (TimeoutException e) {
            throw new LocalStackException("timed out creating topics " + topics, e);
        }
    }

    /**
     * Waits until the broker's replica manager leads every partition of {@code names}. The controller has committed
     * a topic, and the broker's metadata may already name its leader, before the broker opens its partitions; a
     * write in that moment is refused (NOT_LEADER_OR_FOLLOWER). An idempotent producer whose later request lands
     * first then retries the refused one as out of order until {@code delivery.timeout.ms} drops it: records lost
     * without an error anyone checks (KAFKA-15591; fixed upstream by apache/kafka#23234, after the 4.3.1 here). A
     * ListOffsets answer for a partition comes from the replica manager itself, so once every partition answers,
     * writes are taken.
     */
    private static void awaitLeaders(Admin admin, List<String> names)
            throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS).values()
                        .forEach(topic -> topic.partitions().forEach(p ->
                                latest.put(new TopicPartition(topic.name(), p.partition()), OffsetSpec.latest())));
                admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
                    throw new LocalStackException("partitions of " + names + " have no leader", e.getCause());
                }
                TimeUnit.MILLISECONDS.sleep(20);
            }
        }
    }

    /** Client settings for an {@link Admin}; a fresh mutable map on each call. */
    public Map<String, Object> adminConfig() {
        Map<String, Object> config = new HashMap<>();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return config;
    }

    /** String-keyed, string-valued producer settings (override the serializers for other types). */
    public Map<String, Object> producerConfig() {
        Map<String, Object> config = adminConfig();
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        return config;
    }

    /** String consumer settings for {@code groupId}, reading from the earliest offset of a new group. */
    public Map<String, Object> consumerConfig(String groupId) {
        Map<String, Object> config = adminConfig();
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        return config;
    }

    /** Stops the broker (and deletes a temporary data directory). Safe to call more than once. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        shutdownQuietly(server);
        if (deleteDataDirOnClose) {
            deleteQuietly(dataDir);
        }
    }

    private static void shutdownQuietly(KafkaRaftServer server) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.warn("Kafka shutdown failed", e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            Utils.delete(dir.toFile());
        } catch (IOException e) {
            LOG.warn("cannot delete {}", dir, e);
        }
    }

    private static boolean isBindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return true;
            }
        }
        return false;
    }
}
