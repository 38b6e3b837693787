package dev.tier0.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;

class RegistryConfigTest {

  @Test
  void shouldReadConfluentPropertyNames() {
    RegistryConfig config = RegistryConfig.fromProperties(Map.of(
        "schema.registry.url", "http://a:8081/, https://b/apis/ccompat/v7",
        "basic.auth.credentials.source", "USER_INFO",
        "basic.auth.user.info", new Password("bob:pa:ss"),
        "http.connect.timeout.ms", "1500",
        "http.read.timeout.ms", 2500,
        "max.retries", "7",
        "retries.wait.ms", "50",
        "retries.max.wait.ms", "900",
        "schema.registry.cache.capacity", "10",
        "bootstrap.servers", "ignored:9092"));

    assertThat(config.urls()).containsExactly(URI.create("http://a:8081"), URI.create("https://b/apis/ccompat/v7"));
    assertThat(config.basicUser()).isEqualTo("bob");
    assertThat(config.basicPassword()).isEqualTo("pa:ss");
    assertThat(config.connectTimeout()).isEqualTo(Duration.ofMillis(1500));
    assertThat(config.requestTimeout()).isEqualTo(Duration.ofMillis(2500));
    assertThat(config.maxRetries()).isEqualTo(7);
    assertThat(config.retryWait()).isEqualTo(Duration.ofMillis(50));
    assertThat(config.retryMaxWait()).isEqualTo(Duration.ofMillis(900));
    assertThat(config.cacheCapacity()).isEqualTo(10);
    assertThat(config.toString()).contains("basic(bob)").doesNotContain("pa:ss");
  }

  @Test
  void shouldTakeCredentialsFromTheUrlWhenAskedTo() {
    RegistryConfig config = RegistryConfig.fromProperties(Map.of(
        "schema.registry.url", "https://u:p@registry:8081", "basic.auth.credentials.source", "URL"));

    assertThat(config.urls()).containsExactly(URI.create("https://registry:8081"));
    assertThat(config.basicUser()).isEqualTo("u");
    assertThat(config.basicPassword()).isEqualTo("p");
  }

  @Test
  void shouldReadABearerTokenAndNeverPrintIt() {
    RegistryConfig config = RegistryConfig.fromProperties(Map.of(
        "schema.registry.url", "http://r", "bearer.auth.credentials.source", "STATIC_TOKEN",
        "bearer.auth.token", "tok-secret"));
    assertThat(config.bearerToken()).isEqualTo("tok-secret");
    assertThat(config.toString()).contains("bearer").doesNotContain("tok-secret");
  }

  @Test
  void shouldRejectWhatCannotWork() {
    assertThatThrownBy(() -> RegistryConfig.fromProperties(Map.of())).hasMessageContaining("schema.registry.url is required");
    assertThatThrownBy(() -> RegistryConfig.fromProperties(Map.of("schema.registry.url", "registry:8081")))
        .hasMessageContaining("http(s)://");
    assertThatThrownBy(() -> RegistryConfig.fromProperties(Map.of("schema.registry.url", "http://r", "max.retries", "x")))
        .hasMessageContaining("max.retries must be a whole number");
    assertThatThrownBy(() -> RegistryConfig.fromProperties(Map.of("schema.registry.url", "http://r", "max.retries", "-1")))
        .hasMessageContaining("max.retries must be >= 0");
    assertThatThrownBy(() -> RegistryConfig.fromProperties(Map.of("schema.registry.url", "http://r",
        "basic.auth.user.info", "nocolon"))).hasMessageContaining("basic.auth.user.info must be user:password");
    assertThatThrownBy(() -> RegistryConfig.fromProperties(Map.of("schema.registry.url", "http://r",
        "basic.auth.user.info", "a:b", "bearer.auth.token", "t"))).hasMessageContaining("not both");
  }
}
