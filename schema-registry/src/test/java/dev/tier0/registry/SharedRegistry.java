package dev.tier0.registry;

import dev.tier0.local.ApicurioRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** One real Apicurio Registry per test JVM (started on first use, stopped by its shutdown hook). */
final class SharedRegistry {
  private static ApicurioRegistry registry;

  private SharedRegistry() {}

  /** The registry, running: restarted when a test that stopped it failed before restarting it. */
  static synchronized ApicurioRegistry get() {
    ApicurioRegistry started = started();
    if (!started.isRunning()) {
      started.restart();
    }
    return started;
  }

  private static synchronized ApicurioRegistry started() {
    if (registry == null) {
      registry = ApicurioRegistry.start();
    }
    return registry;
  }

  /** A client configuration for the registry, whether it is running now or not (outage tests). */
  static RegistryConfig.Builder config() {
    return RegistryConfig.builder().url(started().url()).retryWait(Duration.ofMillis(50)).retryMaxWait(Duration.ofMillis(400));
  }

  /** Sets a subject's compatibility level (Apicurio's default is NONE), outside the client under test. */
  static void compatibility(String subject, String level) {
    HttpRequest put = HttpRequest.newBuilder(URI.create(get().url() + "/config/" + subject))
        .header("Content-Type", "application/vnd.schemaregistry.v1+json")
        .PUT(HttpRequest.BodyPublishers.ofString("{\"compatibility\":\"" + level + "\"}")).build();
    try {
      HttpResponse<String> response = HttpClient.newHttpClient().send(put, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException("PUT /config/" + subject + " answered " + response.statusCode() + ": "
            + response.body());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
