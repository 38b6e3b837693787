package dev.tier0.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The streams app in a JVM of its own, started from this JVM's class path, as it would run in production.
 * Why not in-process: a JVM loads a native library (DJL's tokenizer, ONNX Runtime) into one class loader only,
 * and the Connect worker in this JVM loads the tier0 plugin's copy in the plugin's isolated class loader.
 */
final class StreamsAppProcess implements AutoCloseable {
  private static final Duration STOP_GRACE = Duration.ofSeconds(30);

  private final Process process;
  private final Path logFile;
  private final URI health;

  private StreamsAppProcess(Process process, Path logFile, URI health) {
    this.process = process;
    this.logFile = logFile;
    this.health = health;
  }

  /** Writes the properties next to the log, starts the app and waits until GET /health answers 200. */
  static StreamsAppProcess start(Map<String, Object> settings, Path workDir, Duration readyTimeout) {
    try {
      Files.createDirectories(workDir);
      int port = freePort();
      Properties props = new Properties();
      settings.forEach((k, v) -> props.setProperty(k, String.valueOf(v)));
      props.setProperty("health.host", "127.0.0.1");
      props.setProperty("health.port", Integer.toString(port));
      Path propsFile = workDir.resolve("streams-app.properties");
      try (OutputStream out = Files.newOutputStream(propsFile)) {
        props.store(out, "written by tier0 run");
      }
      Path log = workDir.resolve("streams-app.log");
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process process = new ProcessBuilder(List.of(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"),
          "dev.tier0.streams.StreamsApp", propsFile.toString()))
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
      StreamsAppProcess app = new StreamsAppProcess(process, log, URI.create("http://127.0.0.1:" + port + "/health"));
      app.awaitReady(readyTimeout);
      return app;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the streams app", e);
    }
  }

  Path logFile() {
    return logFile;
  }

  private void awaitReady(Duration timeout) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the streams app exited with " + process.exitValue() + "; its log:\n" + tail());
      }
      try {
        HttpResponse<Void> response = http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException notListeningYet) {
        // the app is still loading the model
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the streams app", e);
      }
      try {
        process.waitFor(250, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the streams app", e);
      }
    }
    close();
    throw new IllegalStateException("the streams app was not ready within " + timeout.toSeconds() + " s; its log:\n" + tail());
  }

  private String tail() {
    try {
      List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log at " + logFile + ")";
    }
  }

  /** SIGTERM lets the app commit and close its stores; a hard kill only if it does not stop in time. */
  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(STOP_GRACE.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
