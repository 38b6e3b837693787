package dev.tier0.milvus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher: servers never outlive their JVM, and a failed start shows the server's own log. */
class MilvusLiteIT {
    @TempDir
    Path dir;

    @Test
    void aJvmThatExitsWithoutStoppingTakesItsServerDown() throws Exception {
        Process child = startProbe("exit");
        long serverPid = readServerPid(child);
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(ProcessHandle.of(serverPid).map(ProcessHandle::isAlive).orElse(false))
                .as("server %d still running", serverPid).isFalse();
    }

    @Test
    void aKilledJvmTakesItsServerDownToo() throws Exception {
        Process child = startProbe("hang");
        long serverPid = readServerPidAndKeepReading(child);
        child.destroyForcibly(); // SIGKILL: no shutdown hook runs
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Optional<ProcessHandle> server = ProcessHandle.of(serverPid);
        if (server.isPresent()) {
            server.get().onExit().get(30, TimeUnit.SECONDS); // the server notices its stdin closing
        }
        assertThat(ProcessHandle.of(serverPid).map(ProcessHandle::isAlive).orElse(false))
                .as("server %d still running", serverPid).isFalse();
    }

    /**
     * The SDK pings every 10 s, calls or not; a server that refuses that answers GOAWAY too_many_pings, which the
     * SDK logs as a warning (into `./tier0 run`'s terminal) and answers by halving its ping rate. A refusing server
     * (Python gRPC's defaults) sent it ~40 s after the last call, hence the long idle.
     */
    @Test
    void idleClientsKeepAliveWithoutWarnings() throws Exception {
        List<String> warnings = new CopyOnWriteArrayList<>();
        Logger grpc = Logger.getLogger("io.milvus.shaded.io.grpc");
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                warnings.add(String.valueOf(record.getMessage()) + " " + java.util.Arrays.toString(record.getParameters()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        grpc.addHandler(capture);
        try (MilvusLite lite = MilvusLite.start(dir.resolve("data"))) {
            MilvusClientV2 client = new MilvusClientV2(ConnectConfig.builder().uri(lite.uri())
                    .keepAliveWithoutCalls(true).build());
            try {
                client.listCollections();
                Thread.sleep(45_000); // idle: only pings on the connection (grpc-java pings at most every 10 s)
                assertThat(client.listCollections().getCollectionNames()).isEmpty();
            } finally {
                client.close();
            }
        } finally {
            grpc.removeHandler(capture);
        }
        assertThat(warnings).noneMatch(w -> w.contains("too_many_pings") || w.contains("GOAWAY"));
    }

    private Process startProbe(String mode) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return new ProcessBuilder(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
                "-Dtier0.home=" + LiteVenv.home(), LiteExitProbe.class.getName(), dir.resolve("data").toString(),
                mode)).redirectErrorStream(true).start();
    }

    private static long readServerPid(Process child) throws Exception {
        long pid = -1;
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("PID ")) {
                    pid = Long.parseLong(line.substring(4).trim());
                }
            }
        }
        assertThat(pid).isPositive();
        return pid;
    }

    /** Reads until the pid line, then drains the rest in the background so the child never blocks on output. */
    private static long readServerPidAndKeepReading(Process child) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("PID ")) {
                long pid = Long.parseLong(line.substring(4).trim());
                Thread drain = new Thread(() -> out.lines().forEach(ignored -> { }));
                drain.setDaemon(true);
                drain.start();
                return pid;
            }
        }
        throw new AssertionError("probe ended without printing the server pid");
    }

    @Test
    void aServerThatCannotStartReportsItsLog() {
        try (MilvusLite first = MilvusLite.start(dir.resolve("shared"))) {
            assertThat(first.isRunning()).isTrue();
            // a second server on the same data directory is refused by Milvus Lite's own lock
            assertThatThrownBy(() -> MilvusLite.start(dir.resolve("shared")))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("exited with code")
                    .hasMessageContaining("shared.milvus-lite.log");
        }
    }

    @Test
    void restartKeepsTheUriAndTheData() throws Exception {
        try (MilvusLite lite = MilvusLite.start(dir.resolve("data"))) {
            String uri = lite.uri();
            try (MemoryStore store = MemoryStore.connect(MilvusConfig.builder().uri(uri).collection("keep").build())) {
                store.ensureCollection(4);
                store.upsert(List.of(TestVectors.memory("a", "t", new float[] {1, 0, 0, 0}, null)));
            }
            long before = lite.pid();
            lite.restart();
            assertThat(Files.readString(lite.logFile())).as("graceful shutdown").contains("Shutting down");
            assertThat(lite.uri()).isEqualTo(uri);
            assertThat(lite.pid()).isNotEqualTo(before);
            try (MemoryStore store = MemoryStore.connect(MilvusConfig.builder().uri(uri).collection("keep").build())) {
                store.ensureCollection(4);
                assertThat(store.count()).isEqualTo(1);
            }
        }
    }
}
