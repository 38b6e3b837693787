package dev.tier0.local;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Confluent-compatible Schema Registry for integration tests: Apicurio Registry 2.4.2 (its Confluent API at
 * {@code /apis/ccompat/v7}) as a child process on a free loopback port, with H2 file storage in a data directory so
 * that {@link #restart()} (an outage and recovery) keeps the registered schemas.
 *
 * <p>The application is assembled by the {@code apicurio-registry} module ({@code target/apicurio-registry-runner.jar}
 * with {@code target/lib}); a module whose tests use this class declares a dependency on that module so the reactor
 * builds it first. Stopped by {@link #close()} and by a JVM shutdown hook.
 */
public final class ApicurioRegistry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApicurioRegistry.class);
    /** Where the Confluent-compatible API lives on an Apicurio 2.x server. */
    public static final String CCOMPAT_PATH = "/apis/ccompat/v7";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final Path runnerJar;
    private final Path dataDir;
    private final Path logFile;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process process;
    private Thread shutdownHook;

    private ApicurioRegistry(Path runnerJar, Path dataDir, int port) {
        this.runnerJar = runnerJar;
        this.dataDir = dataDir;
        this.port = port;
        this.logFile = dataDir.resolve("apicurio-registry.log");
    }

    /** Starts a registry with a fresh temporary data directory. */
    public static ApicurioRegistry start() {
        try {
            return start(Files.createTempDirectory("tier0-apicurio-"));
        } catch (IOException e) {
            throw new LocalStackException("cannot create a temporary data directory for Apicurio Registry", e);
        }
    }

    /** Starts a registry storing its schemas under {@code dataDir} (created if missing). */
    public static ApicurioRegistry start(Path dataDir) {
        Path runner = runnerJar();
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new LocalStackException("cannot create " + dataDir, e);
        }
        ApicurioRegistry registry = new ApicurioRegistry(runner, dataDir.toAbsolutePath(), FreePorts.pick());
        registry.launch();
        return registry;
    }

    /**
     * The runner jar: system property {@code tier0.apicurio.runner}, else
     * {@code <tier0.home>/apicurio-registry/target/apicurio-registry-runner.jar}.
     */
    public static Path runnerJar() {
        String explicit = System.getProperty("tier0.apicurio.runner");
        Path runner = explicit != null ? Path.of(explicit)
                : Path.of(System.getProperty("tier0.home", "."), "apicurio-registry", "target",
                        "apicurio-registry-runner.jar");
        if (!Files.isRegularFile(runner)) {
            throw new LocalStackException("Apicurio Registry is not built: " + runner.toAbsolutePath()
                    + " is missing. Build it with ./mvnw -B -pl apicurio-registry package"
                    + " (skipped under -DskipTests and -Dmaven.test.skip)");
        }
        return runner;
    }

    /** The base URL of the Confluent-compatible API, what a client's {@code schema.registry.url} is set to. */
    public String url() {
        return "http://127.0.0.1:" + port + CCOMPAT_PATH;
    }

    public int port() {
        return port;
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Stops the server; the schemas stay in the data directory for {@link #restart()}. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        Process stopping = process;
        process = null;
        terminate(stopping);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down and the hook runs anyway
        }
        LOG.info("Apicurio Registry on port {} stopped", port);
    }

    /** Starts the stopped server again on the same port and data. */
    public synchronized void restart() {
        stop();
        launch();
    }

    @Override
    public void close() {
        stop();
    }

    private synchronized void launch() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // a small footprint and a quick start matter more here than peak throughput
        command.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m", "-Xss512k"));
        command.add("-Dquarkus.http.host=127.0.0.1");
        command.add("-Dquarkus.http.port=" + port);
        command.add("-Dquarkus.datasource.jdbc.url=jdbc:h2:file:" + dataDir.resolve("registry_db"));
        command.add("-Dquarkus.datasource.jdbc.min-size=1");
        command.add("-Dquarkus.datasource.jdbc.initial-size=1");
        command.add("-Dquarkus.log.console.level=WARN");
        command.add("-jar");
        command.add(runnerJar.toString());
        long started = System.nanoTime();
        try {
            Process launched = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
            process = launched;
            shutdownHook = new Thread(() -> terminate(launched), "apicurio-registry-stop-" + port);
            Runtime.getRuntime().addShutdownHook(shutdownHook);
            awaitReady(launched);
        } catch (IOException e) {
            stop();
            throw new LocalStackException("cannot start Apicurio Registry: " + e.getMessage() + logTail(), e);
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
        LOG.info("Apicurio Registry at {} in {} ms (log {})", url(), (System.nanoTime() - started) / 1_000_000,
                logFile);
    }

    /** Ready means: the Confluent API lists subjects. */
    private void awaitReady(Process launched) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        HttpRequest subjects = HttpRequest.newBuilder(URI.create(url() + "/subjects"))
                .timeout(Duration.ofSeconds(2)).GET().build();
        long pauseMs = 100;
        while (System.nanoTime() < deadline) {
            if (!launched.isAlive()) {
                throw new LocalStackException("Apicurio Registry exited with code " + launched.exitValue()
                        + " while starting" + logTail());
            }
            try {
                if (http.send(subjects, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LocalStackException("interrupted while waiting for Apicurio Registry", e);
            }
            try {
                launched.waitFor(pauseMs, TimeUnit.MILLISECONDS); // returns early if it dies
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LocalStackException("interrupted while waiting for Apicurio Registry", e);
            }
            pauseMs = Math.min(pauseMs * 2, 1_000);
        }
        throw new LocalStackException("Apicurio Registry did not answer " + url() + "/subjects within "
                + START_TIMEOUT.toSeconds() + " s" + logTail());
    }

    private static void terminate(Process p) {
        p.destroy();
        try {
            if (!p.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return "\n--- " + logFile + " (last lines) ---\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return " (no log at " + logFile + ")";
        }
    }
}
