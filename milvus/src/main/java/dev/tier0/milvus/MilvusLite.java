package dev.tier0.milvus;

import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Milvus Lite server (PyPI milvus-lite, a Milvus-protocol gRPC server) running as a child process on a free
 * loopback port. Stopped by {@link #close()}, and by a JVM shutdown hook so no server outlives its JVM.
 */
public final class MilvusLite implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MilvusLite.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    /** The server drains requests for up to 5 s, then closes its database; past this it is killed. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(15);
    /**
     * Runs the milvus-lite command line with three additions: SIGTERM shuts down gracefully (milvus-lite only does
     * so on Ctrl-C); the server stops by itself when its stdin pipe closes, i.e. when the JVM that started it is
     * gone, even a JVM killed without running its shutdown hooks; and shutting down waits for the requests in
     * flight before the database closes. milvus-lite 3.2.2 calls {@code server.stop(grace=5)}, which only starts
     * the drain, then closes the database at once: an upsert still running wrote behind the final flush and was
     * acknowledged, then lost (RestartIT#upsertInFlightAtStopIsKeptWhenAcknowledged). And its gRPC server accepts
     * the Milvus Java SDK's keepalive pings (every 10 s, also between calls), as a Milvus server does: Python gRPC's
     * defaults allow one ping per 5 minutes without calls, so an idle client got GOAWAY "too_many_pings" after
     * ~40 s and printed it as a warning into the user's terminal (MilvusLiteIT#idleClientsKeepAliveWithoutWarnings).
     *
     * <p>Two more, both found by the soak (issue 15: 725 acknowledged memories lost after a Milvus restart). Only
     * the first SIGTERM counts: {@link Process#destroy()} sends one and then closes stdin, whose end sends another,
     * and that second one, landing inside the graceful shutdown, aborted it; the process was killed after
     * {@link #STOP_GRACE} without closing its database (RestartIT#repeatedSigtermsStillStopGracefully). And writes
     * to a collection run one at a time: milvus-lite 3.2.2 appends each insert, upsert and delete to the
     * collection's write-ahead log (an Arrow stream) and takes its sequence numbers without a lock, so concurrent
     * writers (two Connect tasks, two streams instances) interleaved their log records. Nothing showed while it ran;
     * the restart after a kill replayed the log, met the torn record ("WAL recovery stopped at batch boundary ...")
     * and dropped every write after it (RestartIT#killedServerKeepsEveryUpsertAcknowledgedToConcurrentWriters).
     * A third: a collection is opened by the first request that names it, and milvus-lite 3.2.2 checks its cache
     * and opens without a lock, so requests from several processes arriving together after a restart each opened
     * their own instance of one collection; writes into an instance the server did not keep were acknowledged and
     * never seen again (the soak: ~450 memories of one Connect task's first writes after the outage). Opening,
     * creating, dropping and closing collections now run one at a time
     * (RestartIT#writersThatOpenACollectionTogetherAfterARestartKeepEveryRow).
     */
    private static final String LAUNCH_SCRIPT = String.join("\n",
            "import os, signal, sys, threading",
            "def _shut_down_once(signum, frame):",
            "    signal.signal(signal.SIGTERM, signal.SIG_IGN)",
            "    raise KeyboardInterrupt",
            "signal.signal(signal.SIGTERM, _shut_down_once)",
            "def _serialized(cls, names, lock_of):",
            "    def wrap(method):",
            "        def serialized(self, *args, **kwargs):",
            "            with lock_of(self):",
            "                return method(self, *args, **kwargs)",
            "        return serialized",
            "    for name in names:",
            "        setattr(cls, name, wrap(getattr(cls, name)))",
            "import milvus_lite.engine.collection as _collection",
            "_serialized(_collection.Collection, ('insert', 'upsert', 'delete'),",
            "           lambda col: col.__dict__.setdefault('_tier0_write_lock', threading.RLock()))",
            "import milvus_lite.db as _db",
            "_collections_lock = threading.RLock()",
            "_serialized(_db.MilvusLite, ('create_collection', 'get_collection', 'drop_collection', 'rename_collection',",
            "                            'truncate_collection', 'restore_snapshot', 'create_database', 'drop_database',",
            "                            'close'), lambda db: _collections_lock)",
            "import grpc",
            "_grpc_new_server = grpc.server",
            "_KEEPALIVE = [('grpc.keepalive_permit_without_calls', 1),",
            "              ('grpc.http2.min_ping_interval_without_data_ms', 1000),",
            "              ('grpc.http2.max_ping_strikes', 0),",
            // gRPC's Python server binds with SO_REUSEPORT by default: a second server given the same port would
            // share it silently (and its clients) instead of failing to start
            "              ('grpc.so_reuseport', 0)]",
            "def _server_accepting_keepalive(*args, options=None, **kwargs):",
            "    return _grpc_new_server(*args, options=list(options or []) + _KEEPALIVE, **kwargs)",
            "grpc.server = _server_accepting_keepalive",
            "import milvus_lite.adapter.grpc.server as _grpc_server",
            "_build_server = _grpc_server._build_server",
            "def _build_draining_server(db, max_workers):",
            "    server = _build_server(db, max_workers)",
            "    stop = server.stop",
            "    def stop_after_drain(grace):",
            "        stopped = stop(grace)",
            "        stopped.wait()",
            "        return stopped",
            "    server.stop = stop_after_drain",
            "    return server",
            "_grpc_server._build_server = _build_draining_server",
            "def _exit_with_parent():",
            "    sys.stdin.buffer.read()",
            "    os.kill(os.getpid(), signal.SIGTERM)",
            "threading.Thread(target=_exit_with_parent, daemon=True).start()",
            "%s", // tier0's search executor (SEARCH_PATCH), or pass
            "from milvus_lite.cmdline import main",
            "sys.argv[0] = 'milvus-lite'",
            "sys.exit(main())");
    /**
     * tier0's search executor for milvus-lite 3.2.2 (resource {@code lite_search_patch.py}: why, and what it
     * changes). Without it a dense search at 100k rows spends ~95 % of its time deciding in Python, row by row,
     * which rows are live; with it the same searches ran 4-11x faster at the median (bench/README.md, milvus).
     * Installed at the launch script's {@code %s}. On by default; the property set to false runs milvus-lite's
     * own executor (for comparisons).
     */
    static final String SEARCH_PATCH_PROPERTY = "tier0.milvus-lite.search-patch";
    private static final String SEARCH_PATCH = readResource("lite_search_patch.py");
    /**
     * Milvus Lite searches its in-memory table row by row in Python (about 50-100 us per row), and only flushes
     * it to indexed segments at this size (its default is 128 MB, i.e. seconds per search at ~80k rows of 384
     * dims). 16 MB keeps unflushed search cost bounded and measured fastest for upserts as well.
     */
    static final String MEMTABLE_ENV = "MILVUS_LITE_MEMTABLE_MEMORY_LIMIT_BYTES";
    static final String MEMTABLE_PROPERTY = "tier0.milvus-lite.memtable-bytes";
    private static final long DEFAULT_MEMTABLE_BYTES = 16L * 1024 * 1024;

    private final Path python;
    private final Path dataDir;
    private final Path logFile;
    private final int port;
    private Process process;
    private Thread shutdownHook;

    private final boolean searchPatch;

    private MilvusLite(Path python, Path dataDir, int port, boolean searchPatch) {
        this.python = python;
        this.searchPatch = searchPatch;
        this.dataDir = dataDir;
        this.port = port;
        this.logFile = dataDir.resolveSibling(dataDir.getFileName() + ".milvus-lite.log");
    }

    /** Starts a server on {@code dataDir} (created if missing), installing Milvus Lite on first use. */
    public static MilvusLite start(Path dataDir) {
        return start(dataDir, Boolean.parseBoolean(System.getProperty(SEARCH_PATCH_PROPERTY, "true")));
    }

    /**
     * As {@link #start(Path)}, choosing whether tier0's search executor replaces milvus-lite's own (false: the
     * unpatched server, for comparisons in tests and benchmarks).
     */
    public static MilvusLite start(Path dataDir, boolean searchPatch) {
        Path python = LiteVenv.ensureInstalled();
        MilvusLite lite = new MilvusLite(python, dataDir.toAbsolutePath(), freePort(), searchPatch);
        lite.launch();
        return lite;
    }

    public String uri() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The server's output, appended across restarts. */
    public Path logFile() {
        return logFile;
    }

    /** The server process id, for diagnostics (and crash tests); -1 when not running. */
    public synchronized long pid() {
        return process != null && process.isAlive() ? process.pid() : -1;
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Stops the server and starts it again on the same data dir and port. */
    public synchronized void restart() {
        stop();
        launch();
    }

    /** Stops the server gracefully (SIGTERM: drain, close the database); kills it if it does not exit in 15 s. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        terminate(process);
        process = null;
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook is running or about to; it will find the process gone
            }
            shutdownHook = null;
        }
    }

    @Override
    public void close() {
        stop();
    }

    private synchronized void launch() {
        try {
            Files.createDirectories(dataDir);
            String install = searchPatch ? "exec(compile(" + pythonString(SEARCH_PATCH)
                    + ", 'tier0/lite_search_patch.py', 'exec')); install()" : "pass";
            List<String> command = List.of(python.toString(), "-c", LAUNCH_SCRIPT.formatted(install), "server",
                    "--data-dir",
                    dataDir.toString(),
                    "--host", "127.0.0.1", "--port", Integer.toString(port));
            // stdin stays a pipe from this JVM, never written or closed: its EOF tells the server we are gone
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            builder.environment().putIfAbsent(MEMTABLE_ENV, Long.toString(memtableBytes()));
            Process started = builder.start();
            process = started;
            shutdownHook = new Thread(() -> terminate(started), "milvus-lite-stop-" + port);
            Runtime.getRuntime().addShutdownHook(shutdownHook);
            awaitReady(started);
            log.info("Milvus Lite listening at {} (data {}, log {})", uri(), dataDir, logFile);
        } catch (IOException e) {
            stop();
            throw new IllegalStateException("cannot start Milvus Lite: " + e.getMessage() + logTail(), e);
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
    }

    private static String readResource(String name) {
        try (var in = MilvusLite.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " missing from the milvus module's jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read resource " + name, e);
        }
    }

    /** A Python string literal holding {@code text} (escapes backslashes, quotes and line ends). */
    private static String pythonString(String text) {
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n").replace("\r", "") + "'";
    }

    /** Ready means: the Java client connects and the server answers GetVersion. */
    private void awaitReady(Process started) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        long pauseMs = 50;
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            if (!started.isAlive()) {
                throw new IllegalStateException("Milvus Lite exited with code " + started.exitValue()
                        + " while starting" + logTail());
            }
            if (portAccepts()) {
                try (AutoCloseableClient client = new AutoCloseableClient(new MilvusClientV2(ConnectConfig.builder()
                        .uri(uri()).connectTimeoutMs(2_000).rpcDeadlineMs(2_000).build()))) {
                    client.client().getServerVersion();
                    return;
                } catch (RuntimeException e) {
                    last = e;
                }
            }
            try {
                started.waitFor(pauseMs, TimeUnit.MILLISECONDS); // returns early if the process dies
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Milvus Lite", e);
            }
            pauseMs = Math.min(pauseMs * 2, 500);
        }
        throw new IllegalStateException("Milvus Lite did not accept connections within " + START_TIMEOUT.toSeconds()
                + " s" + (last != null ? " (last error: " + last.getMessage() + ")" : "") + logTail(), last);
    }

    private boolean portAccepts() {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void terminate(Process p) {
        if (!p.isAlive()) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("Milvus Lite (pid {}) did not stop within {} s; killing it", p.pid(), STOP_GRACE.toSeconds());
                p.destroyForcibly();
                p.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private String logTail() {
        try {
            if (!Files.exists(logFile)) {
                return "";
            }
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return "\n--- " + logFile + " (last lines) ---\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "\n(cannot read " + logFile + ": " + e.getMessage() + ")";
        }
    }

    private static long memtableBytes() {
        return Long.getLong(MEMTABLE_PROPERTY, DEFAULT_MEMTABLE_BYTES);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free loopback port", e);
        }
    }

    /** MilvusClientV2 is not AutoCloseable. */
    private record AutoCloseableClient(MilvusClientV2 client) implements AutoCloseable {
        @Override
        public void close() {
            client.close();
        }
    }
}
