package dev.tier0.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tier0.streams.format.ReplyEncoder;
import dev.tier0.streams.format.RequestDecoder;
import dev.tier0.streams.format.TopicFormat;
import dev.tier0.streams.format.WireFormats;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class AppConfigFormatsTest {

  private static Map<String, Object> base() {
    Map<String, Object> c = new HashMap<>();
    c.put("ingest.topic", "in");
    c.put("search.request.topic", "req");
    return c;
  }

  @Test
  void shouldDefaultToJsonWithoutARegistry() {
    AppConfig config = new AppConfig(base());
    assertThat(config.ingestFormat()).isEqualTo(TopicFormat.JSON);
    assertThat(config.searchRequestFormat()).isEqualTo(TopicFormat.JSON);
    assertThat(config.searchReplyFormat()).isEqualTo(TopicFormat.JSON);
    assertThat(config.usesSchemaRegistry()).isFalse();
    // no registry needed, none made: the codecs are the JSON ones
    WireFormats formats = StreamsApp.wireFormats(config, null);
    assertThat(formats.requests()).isSameAs(RequestDecoder.JSON);
    assertThat(formats.replies()).isSameAs(ReplyEncoder.JSON);
  }

  @Test
  void shouldRequireARegistryUrlForAnAvroTopic() {
    Map<String, Object> c = base();
    c.put("search.reply.format", "AVRO");
    assertThatThrownBy(() -> new AppConfig(c)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("schema.registry.url").hasMessageContaining("search.reply.format=avro");

    c.put("schema.registry.url", "https://r1:8081,https://r2:8081");
    c.put("basic.auth.user.info", "u:secret");
    AppConfig config = new AppConfig(c);
    assertThat(config.usesSchemaRegistry()).isTrue();
    assertThat(config.registryConfig().urls()).containsExactly(URI.create("https://r1:8081"), URI.create("https://r2:8081"));
    assertThat(config.registryConfig().basicPassword()).isEqualTo("secret");
    // registry keys are the app's own: not handed to Kafka Streams as unknown client properties
    assertThat(config.streamsProperties(new AppMetrics()).stringPropertyNames())
        .doesNotContain("schema.registry.url", "basic.auth.user.info");
  }

  @Test
  void shouldIgnoreTheFormatOfATopicThatIsOff() {
    Map<String, Object> c = base();
    c.put("ingest.topic", "");
    c.put("ingest.format", "avro");
    c.put("ingest.key.format", "avro");
    AppConfig config = new AppConfig(c);
    assertThat(config.usesSchemaRegistry()).isFalse();
    assertThat(StreamsApp.wireFormats(config, null).requests()).isSameAs(RequestDecoder.JSON);
  }

  @Test
  void shouldRejectAStringReplyFormatAndTakeRegistryKeysFromTheEnvironment() {
    Map<String, Object> c = base();
    c.put("search.reply.format", "string");
    assertThatThrownBy(() -> new AppConfig(c)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("search.reply.format");
    assertThat(AppConfig.environmentOverrides(Map.of("TIER0_SCHEMA_REGISTRY_URL", "http://r:8081",
        "TIER0_INGEST_FORMAT", "avro"), Set.of()))
        .containsEntry("schema.registry.url", "http://r:8081").containsEntry("ingest.format", "avro");
  }
}
