package dev.tier0.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * A real HTTP(S) server on a loopback port whose answers a test scripts: for transport behaviour a real registry
 * cannot be asked to show on demand (503s, slow answers, auth checks, TLS). Records every request it gets.
 */
final class ScriptedServer implements AutoCloseable {
  record Request(String method, String path, Map<String, List<String>> headers, String body) {
    String header(String name) {
      return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(e -> e.getValue().get(0)).findFirst().orElse(null);
    }
  }

  record Reply(int status, String body, long delayMs) {
    static Reply json(int status, String body) {
      return new Reply(status, body, 0);
    }
  }

  private final HttpServer server;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private volatile Function<Request, Reply> script;

  private ScriptedServer(HttpServer server, Function<Request, Reply> script) {
    this.server = server;
    this.script = script;
    server.createContext("/", this::handle);
    server.setExecutor(Executors.newCachedThreadPool());
    server.start();
  }

  static ScriptedServer http(Function<Request, Reply> script) {
    try {
      return new ScriptedServer(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0), script);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ScriptedServer https(SSLContext tls, boolean needClientAuth, Function<Request, Reply> script) {
    try {
      HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.setHttpsConfigurator(new HttpsConfigurator(tls) {
        @Override
        public void configure(HttpsParameters params) {
          SSLParameters ssl = tls.getDefaultSSLParameters();
          ssl.setNeedClientAuth(needClientAuth);
          params.setSSLParameters(ssl);
        }
      });
      return new ScriptedServer(server, script);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void script(Function<Request, Reply> script) {
    this.script = script;
  }

  String url(String scheme) {
    return scheme + "://127.0.0.1:" + server.getAddress().getPort();
  }

  String url() {
    return url(server instanceof HttpsServer ? "https" : "http");
  }

  List<Request> requests() {
    return requests;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      String path = exchange.getRequestURI().getRawPath();
      Request request = new Request(exchange.getRequestMethod(), path, Map.copyOf(exchange.getRequestHeaders()), body);
      requests.add(request);
      Reply reply = script.apply(request);
      if (reply.delayMs() > 0) {
        try {
          Thread.sleep(reply.delayMs());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/vnd.schemaregistry.v1+json");
      exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
      if (bytes.length > 0) {
        exchange.getResponseBody().write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
