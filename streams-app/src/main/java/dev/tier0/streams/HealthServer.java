package dev.tier0.streams;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * GET /health: 200 when every streams instance (ingest, search) is RUNNING, 503 otherwise (a readiness probe), with
 * {@code {"state": <the app's state>, "ready": bool, "instances": {"ingest": <state>, "search": <state>}}}; GET
 * /metrics: the app's counters and timers as JSON, with the same state fields.
 */
public final class HealthServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpServer server;

  /**
   * @param states each streams instance's state by name, read on every request; the app's state is
   *               {@link AppStates#combined}
   * @throws IOException when the address cannot be bound
   */
  public HealthServer(String host, int port, Supplier<Map<String, KafkaStreams.State>> states, AppMetrics metrics)
      throws IOException {
    server = HttpServer.create(new InetSocketAddress(host, port), 0);
    server.setExecutor(Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "tier0-health");
      t.setDaemon(true);
      return t;
    }));
    server.createContext("/health", exchange -> {
      Map<String, KafkaStreams.State> now = states.get();
      KafkaStreams.State s = AppStates.combined(now);
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("state", s.name());
      body.put("ready", s == KafkaStreams.State.RUNNING);
      body.put("instances", now);
      respond(exchange, s == KafkaStreams.State.RUNNING ? 200 : 503, body);
    });
    server.createContext("/metrics", exchange -> {
      Map<String, Object> body = new LinkedHashMap<>();
      Map<String, KafkaStreams.State> now = states.get();
      body.put("state", AppStates.combined(now).name());
      body.put("instances", now);
      body.putAll(metrics.snapshot());
      respond(exchange, 200, body);
    });
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void respond(HttpExchange exchange, int status, Object body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
