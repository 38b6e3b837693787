package dev.tier0.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link SchemaRegistryClient} over the Confluent REST API with {@code java.net.http}. No caching here (see
 * {@link CachingSchemaRegistryClient}); transient failures (connection errors, timeouts, 5xx, 429) are retried
 * {@link RegistryConfig#maxRetries()} times with exponential backoff, moving to the next configured URL each
 * time; everything else fails at once with the registry's own message. After a call has used up its retries,
 * calls in the next {@link RegistryConfig#retryMaxWait()} fail at once (a registry that is down should cost one
 * retry budget, not one per record).
 */
public final class HttpSchemaRegistryClient implements SchemaRegistryClient {
  private static final Logger LOG = LoggerFactory.getLogger(HttpSchemaRegistryClient.class);
  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final String ACCEPT =
      "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json; q=0.9, application/json; q=0.5";

  private final RegistryConfig config;
  private final HttpClient http;
  private final Backoff backoff;
  private final String authorization;
  private final ObjectMapper json = new ObjectMapper();
  /** The URL that answered last; failures move on to the next one. */
  private final AtomicInteger currentUrl = new AtomicInteger();
  /** Set when a call used up its retries; until quietUntil, calls fail fast. Cleared by any success. */
  private volatile Outage outage;
  private final LongSupplier nanoClock;

  private record Outage(long quietUntilNanos, String reason, int status, int errorCode) {}

  public HttpSchemaRegistryClient(RegistryConfig config) {
    this(config, System::nanoTime);
  }

  /** With the clock that times the fail-fast window after an outage: tests move it instead of sleeping. */
  HttpSchemaRegistryClient(RegistryConfig config, LongSupplier nanoClock) {
    this.config = config;
    this.nanoClock = nanoClock;
    HttpClient.Builder builder = HttpClient.newBuilder()
        // HTTP/1.1: no h2c upgrade dance, which some registries' proxies mishandle on POST
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(config.connectTimeout())
        .followRedirects(HttpClient.Redirect.NEVER);
    SSLContext tls = RegistryTls.context(config);
    if (tls != null) {
      builder.sslContext(tls);
    }
    this.http = builder.build();
    this.backoff = new Backoff(config.retryWait(), config.retryMaxWait());
    this.authorization = authorization(config);
  }

  @Override
  public RegisteredSchema schemaById(int id) {
    JsonNode body = call("GET", "/schemas/ids/" + id, null);
    return new RegisteredSchema(id, SchemaType.fromApi(text(body, "schemaType")), required(body, "schema"),
        references(body));
  }

  @Override
  public int register(String subject, SchemaType type, String schema) {
    JsonNode body = call("POST", "/subjects/" + encode(subject) + "/versions", schemaRequest(type, schema));
    JsonNode id = body.get("id");
    if (id == null || !id.canConvertToInt()) {
      throw new SchemaRegistryException("the registry's reply to register has no id: " + body, null);
    }
    return id.intValue();
  }

  @Override
  public Optional<SubjectVersion> lookup(String subject, SchemaType type, String schema) {
    try {
      return Optional.of(subjectVersion(call("POST", "/subjects/" + encode(subject), schemaRequest(type, schema))));
    } catch (SchemaNotFoundException e) {
      return Optional.empty(); // 40401 no such subject, or 40403 the subject has no such schema
    }
  }

  @Override
  public SubjectVersion latest(String subject) {
    return subjectVersion(call("GET", "/subjects/" + encode(subject) + "/versions/latest", null));
  }

  @Override
  public SubjectVersion version(String subject, int version) {
    return subjectVersion(call("GET", "/subjects/" + encode(subject) + "/versions/" + version, null));
  }

  @Override
  public void close() {
    // java.net.http.HttpClient (Java 17) holds no resources that outlive its requests
  }

  private SubjectVersion subjectVersion(JsonNode body) {
    JsonNode id = body.get("id");
    JsonNode version = body.get("version");
    if (id == null || version == null) {
      throw new SchemaRegistryException("the registry's subject version lacks id or version: " + body, null);
    }
    return new SubjectVersion(required(body, "subject"), version.intValue(),
        new RegisteredSchema(id.intValue(), SchemaType.fromApi(text(body, "schemaType")), required(body, "schema"),
            references(body)));
  }

  /** The {@code references} array of a schema reply; absent (older registries) means none. */
  private static List<SchemaReference> references(JsonNode body) {
    JsonNode references = body.get("references");
    if (references == null || references.isNull()) {
      return List.of();
    }
    List<SchemaReference> list = new ArrayList<>();
    for (JsonNode reference : references) {
      JsonNode version = reference.get("version");
      String name = text(reference, "name");
      String subject = text(reference, "subject");
      if (name == null || subject == null || version == null || !version.canConvertToInt()) {
        throw new SchemaRegistryException("the registry's schema reference lacks name, subject or version: "
            + abbreviate(reference.toString()), null);
      }
      list.add(new SchemaReference(name, subject, version.intValue()));
    }
    return list;
  }

  private String schemaRequest(SchemaType type, String schema) {
    ObjectNode request = json.createObjectNode();
    request.put("schema", schema);
    if (type != SchemaType.AVRO) {
      request.put("schemaType", type.name()); // absent means AVRO, and older registries reject the field
    }
    return request.toString();
  }

  /** One API call with the configured retries; the parsed JSON body of a 2xx reply. */
  private JsonNode call(String method, String path, String body) {
    Outage outage = this.outage;
    if (outage != null && nanoClock.getAsLong() < outage.quietUntilNanos()) {
      // one caller has just spent the whole retry budget: the next ones fail at once instead of each stalling
      // its thread for as long again
      throw new RegistryUnavailableException("schema registry " + config.urls() + " still unavailable for " + method
          + " " + path + " (not retried before " + config.retryMaxWait().toMillis() + " ms after the last failed "
          + "attempts): " + outage.reason(), outage.status(), outage.errorCode(), null);
    }
    RuntimeException lastFailure = null;
    int lastStatus = 0;
    int lastErrorCode = 0;
    for (int attempt = 0; attempt <= config.maxRetries(); attempt++) {
      if (attempt > 0) {
        sleep(backoff.delay(attempt), method, path);
      }
      int urlIndex = Math.floorMod(currentUrl.get(), config.urls().size());
      URI url = URI.create(config.urls().get(urlIndex) + path);
      HttpResponse<String> response;
      try {
        response = http.send(request(method, url, body), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      } catch (SSLHandshakeException e) {
        // trust or certificate set-up: no retry will change it
        throw new SchemaRegistryException("TLS handshake with " + url + " failed: " + e.getMessage(), e);
      } catch (IOException e) {
        lastFailure = new SchemaRegistryException(e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        lastStatus = 0;
        lastErrorCode = 0;
        currentUrl.compareAndSet(urlIndex, urlIndex + 1);
        LOG.debug("{} {} failed (attempt {}): {}", method, url, attempt + 1, e.toString());
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RegistryUnavailableException("interrupted during " + method + " " + path, 0, 0, e);
      }
      int status = response.statusCode();
      if (status / 100 == 2) {
        this.outage = null;
        return parse(response.body(), method, url);
      }
      RegistryError error = RegistryError.parse(json, response.body());
      if (status >= 500 || status == 429 || status == 408) {
        lastFailure = null;
        lastStatus = status;
        lastErrorCode = error.code();
        currentUrl.compareAndSet(urlIndex, urlIndex + 1);
        LOG.debug("{} {} answered {} (attempt {}): {}", method, url, status, attempt + 1, error.message());
        continue;
      }
      throw permanent(method, url, status, error);
    }
    String cause = lastFailure != null ? lastFailure.getMessage()
        : "last answer HTTP " + lastStatus + (lastErrorCode != 0 ? " error_code " + lastErrorCode : "");
    this.outage = new Outage(nanoClock.getAsLong() + config.retryMaxWait().toNanos(), cause, lastStatus, lastErrorCode);
    throw new RegistryUnavailableException("schema registry " + config.urls() + " unavailable for " + method + " "
        + path + " after " + (config.maxRetries() + 1) + " attempts: " + cause, lastStatus, lastErrorCode,
        lastFailure == null ? null : lastFailure.getCause());
  }

  private HttpRequest request(String method, URI url, String body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(url)
        .timeout(config.requestTimeout())
        .header("Accept", ACCEPT)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (body != null) {
      request.header("Content-Type", CONTENT_TYPE);
    }
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return request.build();
  }

  private static SchemaRegistryException permanent(String method, URI url, int status, RegistryError error) {
    String message = "schema registry " + method + " " + url + " answered HTTP " + status
        + (error.code() != 0 ? " (error_code " + error.code() + ")" : "") + ": " + error.message();
    return switch (status) {
      case 401, 403 -> new RegistryAuthenticationException(message, status, error.code());
      case 404 -> new SchemaNotFoundException(message, status, error.code());
      case 409 -> new IncompatibleSchemaException(message, status, error.code());
      case 422 -> new InvalidSchemaException(message, status, error.code());
      default -> new SchemaRegistryException(message, status, error.code(), null);
    };
  }

  private JsonNode parse(String body, String method, URI url) {
    try {
      return json.readTree(body);
    } catch (IOException e) {
      throw new SchemaRegistryException("schema registry " + method + " " + url + " answered 2xx with a body that"
          + " is not JSON: " + abbreviate(body), e);
    }
  }

  private static void sleep(Duration delay, String method, String path) {
    try {
      Thread.sleep(delay.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryUnavailableException("interrupted while backing off before retrying " + method + " " + path,
          0, 0, e);
    }
  }

  private static String authorization(RegistryConfig config) {
    if (config.basicUser() != null) {
      String pair = config.basicUser() + ":" + config.basicPassword();
      return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }
    return config.bearerToken() == null ? null : "Bearer " + config.bearerToken();
  }

  private static String encode(String subject) {
    if (subject == null || subject.isEmpty()) {
      throw new IllegalArgumentException("subject must not be empty");
    }
    return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String text(JsonNode body, String field) {
    JsonNode node = body.get(field);
    return node == null || node.isNull() ? null : node.asText();
  }

  private static String required(JsonNode body, String field) {
    String value = text(body, field);
    if (value == null) {
      throw new SchemaRegistryException("the registry's reply lacks '" + field + "': " + abbreviate(body.toString()),
          null);
    }
    return value;
  }

  static String abbreviate(String s) {
    return s == null ? "" : s.length() <= 300 ? s : s.substring(0, 300) + "...";
  }

  /** The Confluent error body {@code {"error_code": 40403, "message": "..."}}; tolerant of other bodies. */
  record RegistryError(int code, String message) {
    static RegistryError parse(ObjectMapper json, String body) {
      try {
        JsonNode node = json.readTree(body == null ? "" : body);
        if (node != null && node.isObject()) {
          JsonNode code = node.get("error_code");
          JsonNode message = node.get("message");
          return new RegistryError(code == null ? 0 : code.asInt(),
              message == null ? abbreviate(body) : message.asText());
        }
      } catch (IOException e) {
        // not JSON: a proxy's HTML page, say; the raw text is the best message there is
      }
      return new RegistryError(0, body == null || body.isBlank() ? "(empty body)" : abbreviate(body));
    }
  }
}
