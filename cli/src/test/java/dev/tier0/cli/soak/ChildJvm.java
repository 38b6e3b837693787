package dev.tier0.cli.soak;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * One JVM of the soak's topology (a Connect worker or a streams-app instance), started from this JVM's class path
 * with its properties written to a file next to its log. {@link #kill()} is SIGKILL (nothing runs in the child),
 * {@link #terminate} SIGTERM (its shutdown hooks run). Tracks the child's peak resident set (VmHWM) for the report.
 */
final class ChildJvm {
  private final String name;
  private final String mainClass;
  private final String heap;
  private final Path dir;
  private Process process;
  private long peakRssKib;
  private int starts;

  ChildJvm(String name, String mainClass, String heap, Path dir) {
    this.name = name;
    this.mainClass = mainClass;
    this.heap = heap;
    this.dir = dir;
  }

  String name() {
    return name;
  }

  /** Writes {@code props} to {@code <name>-<n>.properties} and starts the main class with that file as argument. */
  synchronized void start(Map<String, String> props) {
    try {
      Files.createDirectories(dir);
      starts++;
      Path file = dir.resolve(name + "-" + starts + ".properties");
      Properties p = new Properties();
      p.putAll(props);
      try (OutputStream out = Files.newOutputStream(file)) {
        p.store(out, "tier0 soak: " + name);
      }
      Path log = logFile();
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      List<String> command = new ArrayList<>(List.of(java, "-Xmx" + heap, "-XX:+UseSerialGC",
          // INFO, Kafka's too: the secrets check reads these logs, and Connect logs every config it is given
          "-Dorg.slf4j.simpleLogger.defaultLogLevel=info", "-Dorg.slf4j.simpleLogger.log.org.apache.kafka=info",
          mainClass, file.toString()));
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      // The class path through the environment keeps the command line short (ONNX Runtime reads it natively).
      builder.environment().put("CLASSPATH", System.getProperty("java.class.path"));
      Files.writeString(log, "\n==== start " + starts + " ====\n", StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
  }

  Path logFile() {
    return dir.resolve(name + ".log");
  }

  synchronized boolean isAlive() {
    return process != null && process.isAlive();
  }

  synchronized long pid() {
    return process == null ? -1 : process.pid();
  }

  /** SIGKILL, and waits until the process is gone. */
  void kill() throws InterruptedException {
    Process p;
    synchronized (this) {
      sampleRss();
      p = process;
    }
    if (p != null) {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** SIGTERM; true when it exited within {@code seconds} (else it is killed). */
  boolean terminate(int seconds) throws InterruptedException {
    Process p;
    synchronized (this) {
      sampleRss();
      p = process;
    }
    if (p == null || !p.isAlive()) {
      return true;
    }
    p.destroy();
    if (p.waitFor(seconds, TimeUnit.SECONDS)) {
      return true;
    }
    p.destroyForcibly();
    p.waitFor(30, TimeUnit.SECONDS);
    return false;
  }

  /** Exit status of the last run, or null while it runs. */
  synchronized Integer exitValue() {
    return process == null || process.isAlive() ? null : process.exitValue();
  }

  /** Reads VmHWM (peak resident set) of the running child; the maximum over all its runs is kept. */
  synchronized void sampleRss() {
    if (process == null || !process.isAlive()) {
      return;
    }
    peakRssKib = Math.max(peakRssKib, vmHwmKib(process.pid()));
  }

  synchronized long peakRssMib() {
    return peakRssKib / 1024;
  }

  /** VmHWM of a process in KiB, 0 when /proc cannot tell. */
  static long vmHwmKib(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
    return 0;
  }
}
