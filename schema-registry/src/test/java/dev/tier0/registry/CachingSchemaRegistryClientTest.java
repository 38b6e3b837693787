package dev.tier0.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tier0.registry.ScriptedServer.Reply;
import org.junit.jupiter.api.Test;

/** The cache in front of a real HTTP exchange: counts what reaches the server. */
class CachingSchemaRegistryClientTest {

  @Test
  void shouldFetchASchemaByIdOnceAndKnowItsOwnRegistrationsWithoutAsking() {
    try (ScriptedServer server = ScriptedServer.http(r -> switch (r.method() + " " + r.path()) {
      case "GET /schemas/ids/1" -> Reply.json(200, "{\"schema\":\"\\\"string\\\"\"}");
      case "POST /subjects/s/versions" -> Reply.json(200, "{\"id\":2}");
      case "POST /subjects/s" -> Reply.json(404, "{\"error_code\":40403,\"message\":\"Schema not found\"}");
      default -> Reply.json(200, "{\"subject\":\"s\",\"version\":1,\"id\":2,\"schema\":\"\\\"long\\\"\"}");
    }); SchemaRegistryClient client = SchemaRegistryClient.create(RegistryConfig.builder().url(server.url()).build())) {
      for (int i = 0; i < 3; i++) {
        assertThat(client.schemaById(1).schema()).isEqualTo("\"string\"");
        assertThat(client.register("s", SchemaType.AVRO, "\"long\"")).isEqualTo(2);
        assertThat(client.schemaById(2).schema()).isEqualTo("\"long\"");
      }
      assertThat(server.requests()).hasSize(2);

      // absence is asked again each time; latest is never cached
      assertThat(client.lookup("s", SchemaType.AVRO, "\"int\"")).isEmpty();
      assertThat(client.lookup("s", SchemaType.AVRO, "\"int\"")).isEmpty();
      assertThat(client.latest("s").version()).isEqualTo(1);
      assertThat(client.latest("s").version()).isEqualTo(1);
      assertThat(server.requests()).hasSize(6);
    }
  }

  @Test
  void shouldEvictTheLeastRecentlyUsedSchemaPastCapacity() {
    try (ScriptedServer server = ScriptedServer.http(r -> Reply.json(200, "{\"schema\":\"\\\"string\\\"\"}"));
         SchemaRegistryClient client = SchemaRegistryClient.create(
             RegistryConfig.builder().url(server.url()).cacheCapacity(2).build())) {
      client.schemaById(1);
      client.schemaById(2);
      client.schemaById(1); // 1 is now the most recent
      client.schemaById(3); // evicts 2
      client.schemaById(1);
      client.schemaById(2);
      assertThat(server.requests()).extracting(ScriptedServer.Request::path)
          .containsExactly("/schemas/ids/1", "/schemas/ids/2", "/schemas/ids/3", "/schemas/ids/2");
    }
  }
}
