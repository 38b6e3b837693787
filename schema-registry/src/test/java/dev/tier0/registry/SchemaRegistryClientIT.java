package dev.tier0.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tier0.local.ApicurioRegistry;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The client against a real Confluent-compatible registry (Apicurio Registry 2.4.2, /apis/ccompat/v7). */
class SchemaRegistryClientIT {
  private static final String V1 = """
      {"type":"record","name":"Note","namespace":"it","fields":[{"name":"text","type":"string"}]}""";
  private static final String V2_COMPATIBLE = """
      {"type":"record","name":"Note","namespace":"it","fields":[{"name":"text","type":"string"},
       {"name":"lang","type":"string","default":"en"}]}""";
  private static final String V2_INCOMPATIBLE = """
      {"type":"record","name":"Note","namespace":"it","fields":[{"name":"text","type":"string"},
       {"name":"lang","type":"string"}]}""";

  private static String subject() {
    return "it-" + UUID.randomUUID() + "-value";
  }

  @Test
  void shouldRegisterFetchAndLookUpAnAvroSchema() {
    String subject = subject();
    try (SchemaRegistryClient client = new HttpSchemaRegistryClient(SharedRegistry.config().build())) {
      int id = client.register(subject, SchemaType.AVRO, V1);

      assertThat(client.register(subject, SchemaType.AVRO, V1)).as("registering again finds it").isEqualTo(id);
      RegisteredSchema fetched = client.schemaById(id);
      assertThat(fetched.type()).isEqualTo(SchemaType.AVRO);
      assertThat(new org.apache.avro.Schema.Parser().parse(fetched.schema()))
          .isEqualTo(new org.apache.avro.Schema.Parser().parse(V1));
      assertThat(client.lookup(subject, SchemaType.AVRO, V1)).hasValueSatisfying(v -> {
        assertThat(v.subject()).isEqualTo(subject);
        assertThat(v.version()).isEqualTo(1);
        assertThat(v.id()).isEqualTo(id);
      });
      assertThat(client.latest(subject).id()).isEqualTo(id);
    }
  }

  @Test
  void shouldFindNothingForAnUnknownSubjectOrSchema() {
    String subject = subject();
    try (SchemaRegistryClient client = new HttpSchemaRegistryClient(SharedRegistry.config().build())) {
      assertThat(client.lookup(subject, SchemaType.AVRO, V1)).isEmpty();
      client.register(subject, SchemaType.AVRO, V1);
      assertThat(client.lookup(subject, SchemaType.AVRO, "\"string\"")).isEmpty();
      assertThatThrownBy(() -> client.latest(subject())).isInstanceOf(SchemaNotFoundException.class);
    }
  }

  @Test
  void shouldReportAnUnknownSchemaIdAsNotFound() {
    try (SchemaRegistryClient client = new HttpSchemaRegistryClient(SharedRegistry.config().build())) {
      assertThatThrownBy(() -> client.schemaById(987_654)).isInstanceOf(SchemaNotFoundException.class)
          .hasMessageContaining("HTTP 404").hasMessageContaining("error_code 40403")
          .satisfies(e -> assertThat(((SchemaRegistryException) e).isTransient()).isFalse());
    }
  }

  @Test
  void shouldRejectAnIncompatibleSchemaUnderBackwardCompatibility() {
    String subject = subject();
    try (SchemaRegistryClient client = new HttpSchemaRegistryClient(SharedRegistry.config().build())) {
      int v1 = client.register(subject, SchemaType.AVRO, V1);
      SharedRegistry.compatibility(subject, "BACKWARD");

      assertThatThrownBy(() -> client.register(subject, SchemaType.AVRO, V2_INCOMPATIBLE))
          .isInstanceOf(IncompatibleSchemaException.class).hasMessageContaining("HTTP 409")
          .hasMessageContaining("lang");
      int v2 = client.register(subject, SchemaType.AVRO, V2_COMPATIBLE);
      assertThat(v2).isNotEqualTo(v1);
      assertThat(client.latest(subject).version()).isEqualTo(2);
    }
  }

  @Test
  void shouldRejectASchemaThatDoesNotParse() {
    try (SchemaRegistryClient client = new HttpSchemaRegistryClient(SharedRegistry.config().build())) {
      assertThatThrownBy(() -> client.register(subject(), SchemaType.AVRO, "{\"type\":\"record\""))
          .isInstanceOf(InvalidSchemaException.class).hasMessageContaining("HTTP 422");
    }
  }

  @Test
  void shouldRegisterAndFetchAJsonSchema() {
    String schema = """
        {"$schema":"http://json-schema.org/draft-07/schema#","type":"object","properties":{"text":{"type":"string"}}}""";
    try (SchemaRegistryClient client = new HttpSchemaRegistryClient(SharedRegistry.config().build())) {
      int id = client.register(subject(), SchemaType.JSON, schema);
      assertThat(client.schemaById(id)).isEqualTo(new RegisteredSchema(id, SchemaType.JSON, schema));
    }
  }

  @Test
  void shouldGiveUpOnAStoppedRegistryAfterItsRetriesAndRideOutAShortOutage() throws Exception {
    ApicurioRegistry registry = SharedRegistry.get();
    String subject = subject();
    int id;
    try (SchemaRegistryClient setup = new HttpSchemaRegistryClient(SharedRegistry.config().build())) {
      id = setup.register(subject, SchemaType.AVRO, V1);
    }
    registry.stop();
    try {
      try (SchemaRegistryClient client = new HttpSchemaRegistryClient(SharedRegistry.config().maxRetries(3)
          .retryWait(Duration.ofMillis(100)).retryMaxWait(Duration.ofMillis(200)).build())) {
        long start = System.nanoTime();
        assertThatThrownBy(() -> client.schemaById(id)).isInstanceOf(RegistryUnavailableException.class)
            .hasMessageContaining("after 4 attempts").hasMessageContaining("ConnectException");
        // three backoffs of at least half of 100, 200, 200 ms
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
      }
      // an outage shorter than the retry budget is invisible to the caller, and the data survived it
      try (SchemaRegistryClient client = new HttpSchemaRegistryClient(SharedRegistry.config().maxRetries(30)
          .retryWait(Duration.ofMillis(200)).retryMaxWait(Duration.ofSeconds(2)).build())) {
        CompletableFuture<Void> comesBack = CompletableFuture.runAsync(registry::restart);
        assertThat(client.schemaById(id).type()).isEqualTo(SchemaType.AVRO);
        comesBack.get();
      }
    } finally {
      if (!registry.isRunning()) {
        registry.restart();
      }
    }
  }
}
