package dev.tier0.local;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import org.apache.kafka.connect.cli.ConnectDistributed;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.distributed.DistributedHerder;
import org.apache.kafka.connect.storage.StringConverter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka Connect worker (distributed mode, with its REST API on a free loopback port) running inside this
 * JVM. Connectors are installed as packaged plugins in a {@code plugin.path} directory, exactly as on a real
 * worker. {@link #close()} is idempotent.
 *
 * <p>Caveat inherited from Kafka: if the herder cannot even be started, {@code ConnectDistributed} calls
 * {@code Exit.exit(3)}, which ends the JVM; configuration and port errors are thrown normally before that point.
 */
public final class LocalConnect implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalConnect.class);
    private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(60);

    private final Connect<DistributedHerder> connect;
    private final ConnectRestClient rest;
    private final AtomicBoolean closed = new AtomicBoolean();

    private LocalConnect(Connect<DistributedHerder> connect) {
        this.connect = connect;
        this.rest = new ConnectRestClient(connect.rest().serverUrl());
    }

    /** Starts a worker on {@code kafka} that loads plugins from {@code pluginPath} (directories; may be empty). */
    public static LocalConnect start(LocalKafka kafka, List<Path> pluginPath) {
        return start(kafka.bootstrapServers(), pluginPath, Map.of());
    }

    /** As {@link #start(LocalKafka, List)}, with worker settings that replace the defaults of {@link #workerProperties}. */
    public static LocalConnect start(String bootstrapServers, List<Path> pluginPath, Map<String, String> overrides) {
        long started = System.nanoTime();
        Map<String, String> props = workerProperties(bootstrapServers, pluginPath);
        props.putAll(overrides);
        // Plugin loading swaps the calling thread's context class loader for Connect's delegating loader;
        // give the caller its own back.
        ClassLoader callersLoader = Thread.currentThread().getContextClassLoader();
        Connect<DistributedHerder> connect;
        try {
            connect = new ConnectDistributed().startConnect(props);
        } catch (RuntimeException e) {
            throw new LocalStackException("Connect worker did not start", e);
        } finally {
            Thread.currentThread().setContextClassLoader(callersLoader);
        }
        LocalConnect worker = new LocalConnect(connect);
        worker.awaitHealthy();
        LOG.info("Connect worker started at {} in {} ms (plugin.path {})", worker.restUrl(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), props.getOrDefault("plugin.path", "none"));
        return worker;
    }

    /** The worker configuration; each override below fixes something that breaks or slows a one-worker cluster. */
    static Map<String, String> workerProperties(String bootstrapServers, List<Path> pluginPath) {
        Map<String, String> p = new HashMap<>();
        p.put("bootstrap.servers", bootstrapServers);
        p.put("group.id", "tier0-local-connect");
        p.put("config.storage.topic", "tier0-connect-configs");
        p.put("offset.storage.topic", "tier0-connect-offsets");
        p.put("status.storage.topic", "tier0-connect-status");
        // Connect's internal topics default to replication factor 3 and cannot be created on one broker.
        p.put("config.storage.replication.factor", "1");
        p.put("offset.storage.replication.factor", "1");
        p.put("status.storage.replication.factor", "1");
        // 25 and 5 partitions by default: pure startup cost for one worker.
        p.put("offset.storage.partitions", "1");
        p.put("status.storage.partitions", "1");
        p.put("listeners", "http://127.0.0.1:0");
        p.put("rest.advertised.host.name", "127.0.0.1");
        if (!pluginPath.isEmpty()) { // the worker rejects an empty plugin.path
            p.put("plugin.path", pluginPath.stream().map(Path::toString).collect(Collectors.joining(",")));
        }
        // Find plugins through their META-INF/services manifests instead of scanning every class of every jar:
        // several seconds and ~1 GB of heap less at startup. A plugin without manifests is not found at all.
        p.put("plugin.discovery", "service_load");
        // When a worker leaves, its tasks wait this long (default 5 min) for it to come back before they are
        // reassigned. A restarted local run is a new worker (new REST port), so it would wait for the old one.
        p.put("scheduled.rebalance.max.delay.ms", "0");
        // Sink offsets are committed (and sinks flushed) every minute by default; tests should not wait that long.
        p.put("offset.flush.interval.ms", "1000");
        // Text records by default; a connector sets its own converters when it needs others.
        p.put("key.converter", StringConverter.class.getName());
        p.put("value.converter", StringConverter.class.getName());
        // Let connectors tune their own consumers (consumer.override.*) on this development worker.
        p.put("connector.client.config.override.policy", "All");
        return p;
    }

    /** startConnect returns before the herder has joined its group; GET /health turns 200 when it has. */
    private void awaitHealthy() {
        long deadline = System.nanoTime() + HEALTH_TIMEOUT.toNanos();
        while (!rest.isHealthy()) {
            if (System.nanoTime() > deadline) {
                close();
                throw new LocalStackException("Connect worker at " + restUrl() + " not healthy within " + HEALTH_TIMEOUT);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new LocalStackException("interrupted while waiting for Connect", e);
            }
        }
    }

    /** The REST API's base URL, e.g. {@code http://127.0.0.1:40123/}. */
    public URI restUrl() {
        return rest.baseUrl();
    }

    /** A REST client for this worker (for the calls not mirrored here). */
    public ConnectRestClient rest() {
        return rest;
    }

    /** Creates (or reconfigures) a connector; {@code config} needs at least connector.class. */
    public void createConnector(String name, Map<String, String> config) {
        rest.createConnector(name, config);
    }

    public ConnectorStatus status(String name) {
        return rest.status(name);
    }

    public ConnectorStatus awaitRunning(String name, int expectedTasks, Duration timeout) {
        return rest.awaitRunning(name, expectedTasks, timeout);
    }

    public void deleteConnector(String name) {
        rest.deleteConnector(name);
    }

    public void restartTask(String name, int taskId) {
        rest.restartTask(name, taskId);
    }

    /** Stops the worker (connectors keep their configuration in Kafka). Safe to call more than once. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            connect.stop();
            connect.awaitStop();
        } catch (RuntimeException e) {
            LOG.warn("Connect worker shutdown failed", e);
        }
    }
}
