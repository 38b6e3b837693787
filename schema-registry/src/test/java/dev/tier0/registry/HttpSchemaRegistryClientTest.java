package dev.tier0.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tier0.registry.ScriptedServer.Reply;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HttpSchemaRegistryClientTest {
  private static final String AVRO = "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"string\"}]}";

  private static RegistryConfig.Builder config(String url) {
    return RegistryConfig.builder().url(url).retryWait(Duration.ofMillis(10)).retryMaxWait(Duration.ofMillis(40));
  }

  @Test
  void shouldReadSchemaByIdAndDefaultTheTypeToAvro() {
    try (ScriptedServer server = ScriptedServer.http(r -> Reply.json(200, "{\"schema\":" + quote(AVRO) + "}"));
         HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(config(server.url()).build())) {
      RegisteredSchema schema = client.schemaById(7);

      assertThat(schema).isEqualTo(new RegisteredSchema(7, SchemaType.AVRO, AVRO));
      assertThat(server.requests()).singleElement().satisfies(r -> {
        assertThat(r.method()).isEqualTo("GET");
        assertThat(r.path()).isEqualTo("/schemas/ids/7");
        assertThat(r.header("Accept")).startsWith("application/vnd.schemaregistry.v1+json");
        assertThat(r.header("Authorization")).isNull();
      });
    }
  }

  @Test
  void shouldRegisterUnderAnEncodedSubjectAndSendSchemaTypeOnlyForNonAvro() {
    try (ScriptedServer server = ScriptedServer.http(r -> Reply.json(200, "{\"id\":42}"));
         HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(config(server.url() + "/apis/ccompat/v7/").build())) {
      assertThat(client.register("orders value/ü", SchemaType.AVRO, AVRO)).isEqualTo(42);
      assertThat(client.register("j-value", SchemaType.JSON, "{\"type\":\"object\"}")).isEqualTo(42);

      assertThat(server.requests().get(0).path()).isEqualTo("/apis/ccompat/v7/subjects/orders%20value%2F%C3%BC/versions");
      assertThat(server.requests().get(0).body()).isEqualTo("{\"schema\":" + quote(AVRO) + "}");
      assertThat(server.requests().get(0).header("Content-Type")).isEqualTo("application/vnd.schemaregistry.v1+json");
      assertThat(server.requests().get(1).body()).contains("\"schemaType\":\"JSON\"");
    }
  }

  @Test
  void shouldMapConfluentErrorsToTypedExceptionsWithTheRegistryMessage() {
    try (ScriptedServer server = ScriptedServer.http(r -> switch (r.path()) {
      case "/schemas/ids/1" -> Reply.json(404, "{\"error_code\":40403,\"message\":\"Schema 1 not found\"}");
      case "/subjects/s/versions" -> Reply.json(409, "{\"error_code\":409,\"message\":\"incompatible with an earlier schema\"}");
      case "/subjects/bad/versions" -> Reply.json(422, "{\"error_code\":42201,\"message\":\"Invalid schema\"}");
      case "/subjects/s/versions/latest" -> Reply.json(401, "<html>Unauthorized</html>");
      default -> Reply.json(400, "{\"error_code\":400,\"message\":\"bad\"}");
    }); HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(config(server.url()).build())) {
      assertThatThrownBy(() -> client.schemaById(1)).isInstanceOf(SchemaNotFoundException.class)
          .hasMessageContaining("HTTP 404 (error_code 40403): Schema 1 not found")
          .satisfies(e -> assertThat(((SchemaRegistryException) e).errorCode()).isEqualTo(40403));
      assertThatThrownBy(() -> client.register("s", SchemaType.AVRO, AVRO))
          .isInstanceOf(IncompatibleSchemaException.class).hasMessageContaining("incompatible with an earlier schema");
      assertThatThrownBy(() -> client.register("bad", SchemaType.AVRO, "x")).isInstanceOf(InvalidSchemaException.class);
      assertThatThrownBy(() -> client.latest("s")).isInstanceOf(RegistryAuthenticationException.class)
          .hasMessageContaining("<html>Unauthorized</html>");
      assertThatThrownBy(() -> client.latest("x")).isExactlyInstanceOf(SchemaRegistryException.class);
      // permanent errors are not retried
      assertThat(server.requests()).hasSize(5);
    }
  }

  @Test
  void shouldAnswerLookupOfAnUnknownSchemaWithEmpty() {
    try (ScriptedServer server = ScriptedServer.http(r -> r.path().equals("/subjects/known")
        ? Reply.json(200, "{\"subject\":\"known\",\"id\":3,\"version\":2,\"schema\":" + quote(AVRO) + "}")
        : Reply.json(404, "{\"error_code\":40401,\"message\":\"Subject not found\"}"));
         HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(config(server.url()).build())) {
      assertThat(client.lookup("known", SchemaType.AVRO, AVRO))
          .contains(new SubjectVersion("known", 2, new RegisteredSchema(3, SchemaType.AVRO, AVRO)));
      assertThat(client.lookup("unknown", SchemaType.AVRO, AVRO)).isEmpty();
    }
  }

  @Test
  void shouldRetryServerErrorsWithBackoffAndThenSucceed() {
    AtomicInteger calls = new AtomicInteger();
    try (ScriptedServer server = ScriptedServer.http(r -> calls.incrementAndGet() <= 2
        ? Reply.json(503, "{\"error_code\":50003,\"message\":\"forwarding failed\"}")
        : Reply.json(200, "{\"schema\":\"\\\"string\\\"\",\"schemaType\":\"AVRO\"}"));
         HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(config(server.url()).maxRetries(3).build())) {
      assertThat(client.schemaById(1).schema()).isEqualTo("\"string\"");
      assertThat(server.requests()).hasSize(3);
    }
  }

  @Test
  void shouldGiveUpAfterTheConfiguredRetriesWithATransientError() {
    try (ScriptedServer server = ScriptedServer.http(r -> Reply.json(500, "{\"error_code\":50001,\"message\":\"store down\"}"));
         HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(config(server.url()).maxRetries(2).build())) {
      assertThatThrownBy(() -> client.schemaById(1)).isInstanceOf(RegistryUnavailableException.class)
          .hasMessageContaining("after 3 attempts").hasMessageContaining("HTTP 500 error_code 50001")
          .satisfies(e -> assertThat(((SchemaRegistryException) e).isTransient()).isTrue());
      assertThat(server.requests()).hasSize(3);
    }
  }

  @Test
  void shouldFailFastRightAfterAnOutageUsedUpTheRetriesAndRecoverOnceItPasses() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    // the fail-fast window is timed on this clock, moved by hand: no test-speed assumption
    AtomicLong now = new AtomicLong();
    try (ScriptedServer server = ScriptedServer.http(r -> calls.incrementAndGet() <= 2
        ? Reply.json(503, "{\"error_code\":50003,\"message\":\"down\"}") : Reply.json(200, "{\"id\":4}"));
         HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(RegistryConfig.builder().url(server.url())
             .maxRetries(1).retryWait(Duration.ofMillis(10)).retryMaxWait(Duration.ofMillis(500)).build(),
             now::get)) {
      assertThatThrownBy(() -> client.register("s", SchemaType.AVRO, AVRO)).hasMessageContaining("after 2 attempts");
      assertThatThrownBy(() -> client.register("s", SchemaType.AVRO, AVRO))
          .isInstanceOf(RegistryUnavailableException.class).hasMessageContaining("still unavailable")
          .hasMessageContaining("HTTP 503");
      assertThat(server.requests()).hasSize(2);

      now.addAndGet(Duration.ofMillis(499).toNanos());
      assertThatThrownBy(() -> client.register("s", SchemaType.AVRO, AVRO)).hasMessageContaining("still unavailable");
      assertThat(server.requests()).as("still inside the window: the registry is not asked").hasSize(2);
      now.addAndGet(Duration.ofMillis(2).toNanos());
      assertThat(client.register("s", SchemaType.AVRO, AVRO)).isEqualTo(4);
    }
  }

  @Test
  void shouldTreatARefusedConnectionAsAnOutageAndFailOverToTheNextUrl() throws Exception {
    String dead;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      dead = "http://127.0.0.1:" + socket.getLocalPort();
    }
    try (ScriptedServer server = ScriptedServer.http(r -> Reply.json(200, "{\"id\":5}"))) {
      try (HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(
          config(dead).url(server.url()).maxRetries(1).build())) {
        assertThat(client.register("s", SchemaType.AVRO, AVRO)).isEqualTo(5);
        assertThat(client.register("s", SchemaType.AVRO, AVRO)).isEqualTo(5); // stays on the URL that answers
        assertThat(server.requests()).hasSize(2);
      }
      try (HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(config(dead).maxRetries(1).build())) {
        assertThatThrownBy(() -> client.schemaById(1)).isInstanceOf(RegistryUnavailableException.class)
            .hasMessageContaining("ConnectException").hasMessageContaining("after 2 attempts");
      }
    }
  }

  /**
   * The first answer is held back far past the request timeout, so the id can only come from the retry. The
   * timeout is generous (2 s, not the tight 300 ms this test once used, which a CI machine at load 20 missed on
   * the retry too); the first reply is 30 s away, so finishing well before it proves the client gave up on it.
   */
  @Test
  void shouldTimeOutASlowRegistryAndRetryIt() {
    AtomicInteger calls = new AtomicInteger();
    try (ScriptedServer server = ScriptedServer.http(r -> calls.incrementAndGet() == 1
        ? new Reply(200, "{\"id\":1}", 30_000) : Reply.json(200, "{\"id\":9}"));
         HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(
             config(server.url()).requestTimeout(Duration.ofSeconds(2)).maxRetries(1).build())) {
      long start = System.nanoTime();
      assertThat(client.register("s", SchemaType.AVRO, AVRO)).isEqualTo(9);
      assertThat(calls).hasValue(2);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(25));
    }
  }

  @Test
  void shouldSendBasicCredentialsPreemptively() {
    try (ScriptedServer server = ScriptedServer.http(r -> ("Basic " + base64("alice:s3cr:et")).equals(r.header("Authorization"))
        ? Reply.json(200, "{\"id\":1}") : Reply.json(401, "{\"error_code\":401,\"message\":\"Unauthorized\"}"))) {
      try (HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(config(server.url()).basicAuth("alice", "s3cr:et").build())) {
        assertThat(client.register("s", SchemaType.AVRO, AVRO)).isEqualTo(1);
      }
      try (HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(config(server.url()).basicAuth("alice", "wrong").build())) {
        assertThatThrownBy(() -> client.register("s", SchemaType.AVRO, AVRO))
            .isInstanceOf(RegistryAuthenticationException.class).hasMessageContaining("HTTP 401");
      }
    }
  }

  @Test
  void shouldSendABearerToken() {
    try (ScriptedServer server = ScriptedServer.http(r -> "Bearer tok-123".equals(r.header("Authorization"))
        ? Reply.json(200, "{\"id\":1}") : Reply.json(403, "{\"error_code\":40301,\"message\":\"Forbidden\"}"));
         HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(config(server.url()).bearerToken("tok-123").build())) {
      assertThat(client.register("s", SchemaType.AVRO, AVRO)).isEqualTo(1);
    }
  }

  @Test
  void shouldReportAMalformedSuccessBody() {
    try (ScriptedServer server = ScriptedServer.http(r -> Reply.json(200, "<html>proxy</html>"));
         HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(config(server.url()).build())) {
      assertThatThrownBy(() -> client.schemaById(1)).isExactlyInstanceOf(SchemaRegistryException.class)
          .hasMessageContaining("not JSON").hasMessageContaining("<html>proxy</html>");
    }
  }

  static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
