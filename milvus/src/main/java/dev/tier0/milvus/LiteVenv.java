package dev.tier0.milvus;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The project-local Python virtualenv that holds Milvus Lite: created on first use under
 * {@code <tier0.home>/.tier0/milvus-lite-venv}, reused afterwards. A file lock keeps two JVMs from building it at
 * once; a marker file records what was installed, so a half-built venv is rebuilt rather than trusted.
 */
final class LiteVenv {
    private static final Logger log = LoggerFactory.getLogger(LiteVenv.class);
    /** pymilvus is listed because milvus-lite's server imports pymilvus.grpc_gen without declaring it. */
    static final List<String> REQUIREMENTS = List.of("milvus-lite==3.2.2", "pymilvus==2.6.2");
    private static final String MARKER = ".tier0-installed";

    private LiteVenv() {
    }

    static Path home() {
        String property = System.getProperty("tier0.home");
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        String env = System.getenv("TIER0_HOME");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of("").toAbsolutePath();
    }

    static Path directory() {
        return home().resolve(".tier0").resolve("milvus-lite-venv");
    }

    /** The virtualenv's Python, with milvus-lite installed (first use installs it). */
    static Path ensureInstalled() {
        Path venv = directory();
        Path executable = venv.resolve("bin").resolve("milvus-lite");
        String wanted = String.join("\n", REQUIREMENTS);
        try {
            Files.createDirectories(venv.getParent());
            try (FileChannel channel = FileChannel.open(venv.getParent().resolve("milvus-lite-venv.lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = channel.lock()) {
                Path marker = venv.resolve(MARKER);
                if (Files.isExecutable(executable) && Files.isRegularFile(marker)
                        && Files.readString(marker).equals(wanted)) {
                    return python(venv);
                }
                log.info("creating the Milvus Lite virtualenv at {} (one time, needs PyPI)", venv);
                String python = System.getenv().getOrDefault("TIER0_PYTHON", "python3");
                run(List.of(python, "-m", "venv", "--clear", venv.toString()), "python3 -m venv");
                Path pip = venv.resolve("bin").resolve("pip");
                List<String> install = new java.util.ArrayList<>(List.of(pip.toString(), "install",
                        "--disable-pip-version-check", "--progress-bar", "off"));
                install.addAll(REQUIREMENTS);
                run(install, "pip install " + String.join(" ", REQUIREMENTS));
                if (!Files.isExecutable(executable)) {
                    throw new IllegalStateException("pip finished but " + executable + " is missing");
                }
                Files.writeString(marker, wanted);
                log.info("Milvus Lite virtualenv ready");
                return python(venv);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot prepare the Milvus Lite virtualenv at " + venv, e);
        }
    }

    private static Path python(Path venv) {
        return venv.resolve("bin").resolve("python");
    }

    /** Runs a setup command, streaming its output to the log and keeping the tail for the error message. */
    private static void run(List<String> command, String what) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        Deque<String> tail = new ArrayDeque<>();
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                log.info("[{}] {}", what.split(" ")[0], line);
                tail.addLast(line);
                if (tail.size() > 40) {
                    tail.removeFirst();
                }
            }
        }
        int exit;
        try {
            exit = process.waitFor();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(what + " interrupted", e);
        }
        if (exit != 0) {
            throw new IOException(what + " failed with exit code " + exit + ":\n" + String.join("\n", tail));
        }
    }
}
