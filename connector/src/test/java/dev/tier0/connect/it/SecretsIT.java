package dev.tier0.connect.it;

import static dev.tier0.connect.it.SinkStack.record;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * milvus.token through Connect's config providers (issue 15): a worker with {@code config.providers=file,env}, the
 * packaged plugin, a broker and Milvus Lite. The connector gets {@code ${file:PATH:milvus.token}} or
 * {@code ${env:TIER0_IT_MILVUS_TOKEN}} (set for this JVM by failsafe) and stores records; the worker resolves the
 * placeholder only when it hands the config to the connector, so the config topic and the REST API keep the
 * placeholder, and neither secret appears in anything logged. Milvus Lite does not check tokens, so this proves the
 * plumbing and the secrecy, not authentication against a server that enforces it.
 */
class SecretsIT {
  private static final String ENV_SECRET = System.getenv("TIER0_IT_MILVUS_TOKEN");
  private static final String FILE_SECRET = "tier0-it-file-secret-" + UUID.randomUUID();
  private static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();
  private static PrintStream originalErr;

  @TempDir
  static Path work;
  static SinkStack stack;
  static Path secrets;

  @BeforeAll
  static void start() throws Exception {
    assertThat(ENV_SECRET).as("failsafe sets TIER0_IT_MILVUS_TOKEN").isNotBlank();
    secrets = work.resolve("milvus-secrets.properties");
    Files.writeString(secrets, "milvus.token=" + FILE_SECRET + "\n");
    // slf4j-simple writes to whatever System.err is at the time of each line: keep a copy of every line logged
    originalErr = System.err;
    System.setErr(new PrintStream(new Tee(LOG, originalErr), true, StandardCharsets.UTF_8));
    stack = SinkStack.start(work, Map.of(
        "config.providers", "file,env",
        "config.providers.file.class", "org.apache.kafka.common.config.provider.FileConfigProvider",
        "config.providers.env.class", "org.apache.kafka.common.config.provider.EnvVarConfigProvider"));
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
    if (originalErr != null) {
      System.setErr(originalErr);
    }
  }

  @Test
  void shouldStoreWithATokenFromTheFileOrEnvProviderAndKeepOnlyThePlaceholderInTheConfigTopicRestAndLog()
      throws Exception {
    String filePlaceholder = "${file:" + secrets + ":milvus.token}";
    String envPlaceholder = "${env:TIER0_IT_MILVUS_TOKEN}";
    runConnector("secret-file", filePlaceholder);
    runConnector("secret-env", envPlaceholder);

    assertThat(restConfig("secret-file").path("milvus.token").asText()).isEqualTo(filePlaceholder);
    assertThat(restConfig("secret-env").path("milvus.token").asText()).isEqualTo(envPlaceholder);

    String configTopic = readAll("tier0-connect-configs");
    assertThat(configTopic).contains(filePlaceholder).contains(envPlaceholder)
        .doesNotContain(FILE_SECRET).doesNotContain(ENV_SECRET);

    String logged = LOG.toString(StandardCharsets.UTF_8);
    assertThat(logged).as("the worker's log was captured").contains("secret-file").contains("secret-env");
    assertThat(logged).doesNotContain(FILE_SECRET).doesNotContain(ENV_SECRET);
  }

  private void runConnector(String name, String tokenPlaceholder) throws Exception {
    String topic = name + "-memories";
    String collection = name.replace('-', '_');
    stack.kafka.createTopics(List.of(new NewTopic(topic, 1, (short) 1)));
    Map<String, String> config = stack.sinkConfig(topic, collection, 1);
    config.put("value.converter.schemas.enable", "false");
    config.put("record.id.strategy", "field");
    config.put("record.id.field", "id");
    config.put("milvus.token", tokenPlaceholder);
    stack.connect.createConnector(name, config);
    stack.connect.awaitRunning(name, 1, Duration.ofMinutes(3));
    List<ProducerRecord<String, String>> records = new ArrayList<>();
    IntStream.range(0, 20).forEach(i -> records.add(record(topic, "m" + i,
        "{\"id\":\"m" + i + "\",\"text\":\"memory number " + i + " about the token test\"}")));
    stack.produce(topic, records);
    stack.awaitCount(collection, c -> c == 20, Duration.ofMinutes(4));
  }

  private static com.fasterxml.jackson.databind.JsonNode restConfig(String name) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(stack.connect.restUrl() + "connectors/" + name + "/config")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).doesNotContain(FILE_SECRET).doesNotContain(ENV_SECRET);
    return new ObjectMapper().readTree(response.body());
  }

  /** Every value of a one-partition topic, concatenated. */
  private static String readAll(String topic) {
    StringBuilder all = new StringBuilder();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(stack.kafka.consumerConfig("secrets-it"))) {
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      while (consumer.position(tp) < end) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
          all.append(r.value()).append('\n');
        }
      }
    }
    return all.toString();
  }

  private static final class Tee extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    Tee(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public synchronized void write(int c) throws java.io.IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public synchronized void write(byte[] buf, int off, int len) throws java.io.IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }
  }
}
