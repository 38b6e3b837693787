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
 * GET /health: 200 when the streams are RUNNING, 503 otherwise (a readiness probe); GET /metrics: the app's
 * counters and timers as JSON.
 */
public final class HealthServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpServer server;

  public HealthServer(String host, int port, Supplier<KafkaStreams.State> state, AppMetrics metrics)
      throws IOException {
    server = HttpServer.create(new InetSocketAddress(host, port), 0);
    server.setExecutor(Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "tier0-health");
      t.setDaemon(true);
      return t;
    }));
    server.createContext("/health", exchange -> {
      KafkaStreams.State s = state.get();
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("state", s.name());
      body.put("ready", s == KafkaStreams.State.RUNNING);
      respond(exchange, s == KafkaStreams.State.RUNNING ? 200 : 503, body);
    });
    server.createContext("/metrics", exchange -> {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("state", state.get().name());
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
