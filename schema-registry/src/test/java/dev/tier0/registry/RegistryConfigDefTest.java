package dev.tier0.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class RegistryConfigDefTest {

  private static AbstractConfig parse(Map<String, String> props) {
    return new AbstractConfig(RegistryConfigDef.define(new ConfigDef()), props, false);
  }

  @Test
  void shouldTurnParsedKeysIntoAClientConfigWithItsDefaults() {
    RegistryConfig config = RegistryConfigDef.registryConfig(parse(Map.of(
        "schema.registry.url", "http://a:8081,http://b:8081", "basic.auth.user.info", "u:p", "max.retries", "2")));

    assertThat(config.urls()).containsExactly(URI.create("http://a:8081"), URI.create("http://b:8081"));
    assertThat(config.basicUser()).isEqualTo("u");
    assertThat(config.basicPassword()).isEqualTo("p");
    assertThat(config.maxRetries()).isEqualTo(2);
    assertThat(config.retryWait()).isEqualTo(Duration.ofMillis(500));
    assertThat(config.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void shouldHideSecretsAndValidateNumbers() {
    AbstractConfig parsed = parse(Map.of("schema.registry.url", "http://a", "bearer.auth.token", "t0k"));
    assertThat(parsed.values().toString()).doesNotContain("t0k");
    assertThat(RegistryConfigDef.registryConfig(parsed).bearerToken()).isEqualTo("t0k");
    assertThatThrownBy(() -> parse(Map.of("max.retries", "-1"))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("max.retries");
  }

  @Test
  void shouldRequireAUrlOnlyWhenAClientIsMade() {
    AbstractConfig parsed = parse(Map.of());
    assertThatThrownBy(() -> RegistryConfigDef.registryConfig(parsed))
        .hasMessageContaining("schema.registry.url is required");
  }
}
