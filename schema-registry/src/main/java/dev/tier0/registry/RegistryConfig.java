package dev.tier0.registry;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How to reach a Schema Registry: base URLs (tried in turn on failures), credentials, TLS material, timeouts,
 * bounded retries and the cache size. {@link #fromProperties} reads the property names Confluent's clients use,
 * so an existing serde configuration carries over unchanged.
 */
public final class RegistryConfig {
  public static final String URL = "schema.registry.url";
  public static final String BASIC_AUTH_CREDENTIALS_SOURCE = "basic.auth.credentials.source";
  public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
  public static final String BEARER_AUTH_CREDENTIALS_SOURCE = "bearer.auth.credentials.source";
  public static final String BEARER_AUTH_TOKEN = "bearer.auth.token";
  public static final String TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
  public static final String TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
  public static final String TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
  public static final String KEYSTORE_LOCATION = "schema.registry.ssl.keystore.location";
  public static final String KEYSTORE_PASSWORD = "schema.registry.ssl.keystore.password";
  public static final String KEYSTORE_TYPE = "schema.registry.ssl.keystore.type";
  public static final String KEY_PASSWORD = "schema.registry.ssl.key.password";
  public static final String CONNECT_TIMEOUT_MS = "http.connect.timeout.ms";
  public static final String READ_TIMEOUT_MS = "http.read.timeout.ms";
  public static final String MAX_RETRIES = "max.retries";
  public static final String RETRIES_WAIT_MS = "retries.wait.ms";
  public static final String RETRIES_MAX_WAIT_MS = "retries.max.wait.ms";
  public static final String CACHE_CAPACITY = "schema.registry.cache.capacity";

  private final List<URI> urls;
  private final String basicUser;
  private final String basicPassword;
  private final String bearerToken;
  private final KeyStoreFile truststore;
  private final KeyStoreFile keystore;
  private final String keyPassword;
  private final Duration connectTimeout;
  private final Duration requestTimeout;
  private final int maxRetries;
  private final Duration retryWait;
  private final Duration retryMaxWait;
  private final int cacheCapacity;

  /** A key or trust store on disk. */
  public record KeyStoreFile(Path path, String password, String type) {
    public KeyStoreFile {
      Objects.requireNonNull(path, "path");
      type = type == null || type.isBlank() ? "PKCS12" : type;
    }
  }

  private RegistryConfig(Builder b) {
    if (b.urls.isEmpty()) {
      throw new IllegalArgumentException(URL + " is required: at least one registry base URL");
    }
    if (b.basicUser != null && b.bearerToken != null) {
      throw new IllegalArgumentException("configure basic auth or a bearer token, not both");
    }
    this.urls = List.copyOf(b.urls);
    this.basicUser = b.basicUser;
    this.basicPassword = b.basicPassword;
    this.bearerToken = b.bearerToken;
    this.truststore = b.truststore;
    this.keystore = b.keystore;
    this.keyPassword = b.keyPassword;
    this.connectTimeout = positive(b.connectTimeout, CONNECT_TIMEOUT_MS);
    this.requestTimeout = positive(b.requestTimeout, READ_TIMEOUT_MS);
    if (b.maxRetries < 0) {
      throw new IllegalArgumentException(MAX_RETRIES + " must be >= 0, was " + b.maxRetries);
    }
    this.maxRetries = b.maxRetries;
    this.retryWait = positive(b.retryWait, RETRIES_WAIT_MS);
    this.retryMaxWait = positive(b.retryMaxWait, RETRIES_MAX_WAIT_MS);
    if (b.cacheCapacity < 1) {
      throw new IllegalArgumentException(CACHE_CAPACITY + " must be >= 1, was " + b.cacheCapacity);
    }
    this.cacheCapacity = b.cacheCapacity;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads Confluent's client property names: {@value #URL} (comma-separated), {@value #BASIC_AUTH_USER_INFO}
   * ({@code user:password}, or credentials in the URL with {@value #BASIC_AUTH_CREDENTIALS_SOURCE}=URL),
   * {@value #BEARER_AUTH_TOKEN}, the {@code schema.registry.ssl.*} stores, {@value #CONNECT_TIMEOUT_MS},
   * {@value #READ_TIMEOUT_MS}, {@value #MAX_RETRIES}, {@value #RETRIES_WAIT_MS}, {@value #RETRIES_MAX_WAIT_MS},
   * and tier0's {@value #CACHE_CAPACITY}. Unrelated keys are ignored (serde configs carry Kafka's own keys).
   */
  public static RegistryConfig fromProperties(Map<String, ?> props) {
    Builder b = builder();
    String urls = string(props, URL);
    if (urls == null || urls.isBlank()) {
      throw new IllegalArgumentException(URL + " is required: at least one registry base URL");
    }
    String credentialsSource = string(props, BASIC_AUTH_CREDENTIALS_SOURCE);
    for (String url : urls.split(",")) {
      if (!url.isBlank()) {
        URI uri = URI.create(url.trim());
        if (uri.getUserInfo() != null && "URL".equalsIgnoreCase(credentialsSource)) {
          b.basicAuth(userInfo(uri.getUserInfo(), URL));
        }
        b.url(withoutUserInfo(uri));
      }
    }
    String userInfo = string(props, BASIC_AUTH_USER_INFO);
    if (userInfo != null && !userInfo.isEmpty() && !"URL".equalsIgnoreCase(credentialsSource)) {
      b.basicAuth(userInfo(userInfo, BASIC_AUTH_USER_INFO));
    }
    String token = string(props, BEARER_AUTH_TOKEN);
    if (token != null && !token.isEmpty()) {
      b.bearerToken(token);
    }
    String trust = string(props, TRUSTSTORE_LOCATION);
    if (trust != null && !trust.isBlank()) {
      b.truststore(new KeyStoreFile(Path.of(trust), string(props, TRUSTSTORE_PASSWORD),
          string(props, TRUSTSTORE_TYPE)));
    }
    String key = string(props, KEYSTORE_LOCATION);
    if (key != null && !key.isBlank()) {
      b.keystore(new KeyStoreFile(Path.of(key), string(props, KEYSTORE_PASSWORD), string(props, KEYSTORE_TYPE)),
          string(props, KEY_PASSWORD));
    }
    Long v;
    if ((v = number(props, CONNECT_TIMEOUT_MS)) != null) {
      b.connectTimeout(Duration.ofMillis(v));
    }
    if ((v = number(props, READ_TIMEOUT_MS)) != null) {
      b.requestTimeout(Duration.ofMillis(v));
    }
    if ((v = number(props, MAX_RETRIES)) != null) {
      b.maxRetries(Math.toIntExact(v));
    }
    if ((v = number(props, RETRIES_WAIT_MS)) != null) {
      b.retryWait(Duration.ofMillis(v));
    }
    if ((v = number(props, RETRIES_MAX_WAIT_MS)) != null) {
      b.retryMaxWait(Duration.ofMillis(v));
    }
    if ((v = number(props, CACHE_CAPACITY)) != null) {
      b.cacheCapacity(Math.toIntExact(v));
    }
    return b.build();
  }

  public List<URI> urls() {
    return urls;
  }

  /** The basic-auth user, or null when basic auth is not configured. */
  public String basicUser() {
    return basicUser;
  }

  public String basicPassword() {
    return basicPassword;
  }

  /** The static bearer token, or null. */
  public String bearerToken() {
    return bearerToken;
  }

  public KeyStoreFile truststore() {
    return truststore;
  }

  public KeyStoreFile keystore() {
    return keystore;
  }

  public String keyPassword() {
    return keyPassword;
  }

  public Duration connectTimeout() {
    return connectTimeout;
  }

  public Duration requestTimeout() {
    return requestTimeout;
  }

  /** Further attempts after the first one for transient failures (connection errors, timeouts, 5xx, 429). */
  public int maxRetries() {
    return maxRetries;
  }

  /** The first backoff; each retry doubles it, up to {@link #retryMaxWait()}. */
  public Duration retryWait() {
    return retryWait;
  }

  public Duration retryMaxWait() {
    return retryMaxWait;
  }

  public int cacheCapacity() {
    return cacheCapacity;
  }

  @Override
  public String toString() {
    // never the password or the token
    return "RegistryConfig{urls=" + urls + ", auth=" + (basicUser != null ? "basic(" + basicUser + ")"
        : bearerToken != null ? "bearer" : "none") + ", tls=" + (truststore != null || keystore != null)
        + ", connectTimeout=" + connectTimeout + ", requestTimeout=" + requestTimeout + ", maxRetries=" + maxRetries
        + ", retryWait=" + retryWait + ", retryMaxWait=" + retryMaxWait + "}";
  }

  private static String[] userInfo(String userInfo, String key) {
    int colon = userInfo.indexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException(key + " must be user:password");
    }
    return new String[] {userInfo.substring(0, colon), userInfo.substring(colon + 1)};
  }

  private static URI withoutUserInfo(URI uri) {
    if (uri.getScheme() == null || uri.getHost() == null
        || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
      throw new IllegalArgumentException(URL + " must hold http(s)://host[:port][/path] URLs, got '" + uri + "'");
    }
    String s = uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
        + (uri.getRawPath() == null ? "" : uri.getRawPath());
    return URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
  }

  private static String string(Map<String, ?> props, String key) {
    Object value = props.get(key);
    if (value == null) {
      return null;
    }
    // Kafka's Password type hides its value in toString()
    if (value.getClass().getName().equals("org.apache.kafka.common.config.types.Password")) {
      try {
        return (String) value.getClass().getMethod("value").invoke(value);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot read the Password value of " + key, e);
      }
    }
    if (value instanceof List<?> list) {
      return String.join(",", list.stream().map(String::valueOf).toList());
    }
    return value.toString();
  }

  private static Long number(Map<String, ?> props, String key) {
    Object value = props.get(key);
    if (value == null) {
      return null;
    }
    if (value instanceof Number n) {
      return n.longValue();
    }
    try {
      return Long.parseLong(value.toString().trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a whole number, was '" + value + "'", e);
    }
  }

  private static Duration positive(Duration d, String key) {
    if (d == null || d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(key + " must be positive, was " + d);
    }
    return d;
  }

  public static final class Builder {
    private final List<URI> urls = new ArrayList<>();
    private String basicUser;
    private String basicPassword;
    private String bearerToken;
    private KeyStoreFile truststore;
    private KeyStoreFile keystore;
    private String keyPassword;
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration requestTimeout = Duration.ofSeconds(10);
    private int maxRetries = 3;
    private Duration retryWait = Duration.ofMillis(200);
    private Duration retryMaxWait = Duration.ofSeconds(5);
    private int cacheCapacity = 1000;

    private Builder() {}

    public Builder url(String url) {
      return url(URI.create(url));
    }

    public Builder url(URI url) {
      String s = url.toString();
      urls.add(URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s));
      return this;
    }

    public Builder basicAuth(String user, String password) {
      this.basicUser = Objects.requireNonNull(user, "user");
      this.basicPassword = Objects.requireNonNull(password, "password");
      return this;
    }

    private Builder basicAuth(String[] userAndPassword) {
      return basicAuth(userAndPassword[0], userAndPassword[1]);
    }

    public Builder bearerToken(String token) {
      this.bearerToken = Objects.requireNonNull(token, "token");
      return this;
    }

    /** Trust anchors for an https registry (otherwise the JVM's default trust store). */
    public Builder truststore(KeyStoreFile truststore) {
      this.truststore = truststore;
      return this;
    }

    /** A client certificate for mutual TLS. */
    public Builder keystore(KeyStoreFile keystore, String keyPassword) {
      this.keystore = keystore;
      this.keyPassword = keyPassword;
      return this;
    }

    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = timeout;
      return this;
    }

    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = timeout;
      return this;
    }

    public Builder maxRetries(int maxRetries) {
      this.maxRetries = maxRetries;
      return this;
    }

    public Builder retryWait(Duration wait) {
      this.retryWait = wait;
      return this;
    }

    public Builder retryMaxWait(Duration wait) {
      this.retryMaxWait = wait;
      return this;
    }

    public Builder cacheCapacity(int capacity) {
      this.cacheCapacity = capacity;
      return this;
    }

    public RegistryConfig build() {
      return new RegistryConfig(this);
    }
  }
}
