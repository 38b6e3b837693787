package dev.tier0.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tier0.local.ApicurioRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.junit.jupiter.api.Test;

/**
 * Avro schemas that use a type registered under another subject ({@code references} in the registry's reply),
 * against the real Apicurio Registry: values decode with the referenced type resolved, and a reference that
 * cannot be resolved is rejected with a reason that names it (the cases Apicurio itself refuses to register, a
 * missing or non-Avro reference, are in RegistryValueDecoderTest against a scripted registry that serves them).
 */
class SchemaReferencesIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ADDRESS = """
      {"type":"record","name":"Address","namespace":"it.refs","fields":[{"name":"city","type":"string"}]}""";
  private static final String NOTE = """
      {"type":"record","name":"Note","namespace":"it.refs","fields":[{"name":"text","type":"string"},
       {"name":"place","type":"it.refs.Address"}]}""";

  private static String subject(String what) {
    return "it-" + UUID.randomUUID() + "-" + what;
  }

  @Test
  void shouldDecodeAValueWhoseSchemaReferencesATypeOfAnotherSubject() throws Exception {
    String addressSubject = subject("address");
    try (SchemaRegistryClient client = new HttpSchemaRegistryClient(SharedRegistry.config().build())) {
      client.register(addressSubject, SchemaType.AVRO, ADDRESS);
      int noteId = registerWithReference(subject("value"), NOTE, "it.refs.Address", addressSubject, 1);

      assertThat(client.schemaById(noteId).references())
          .containsExactly(new SchemaReference("it.refs.Address", addressSubject, 1));

      Schema.Parser parser = new Schema.Parser();
      Schema address = parser.parse(ADDRESS);
      Schema note = parser.parse(NOTE);
      GenericData.Record place = new GenericData.Record(address);
      place.put("city", "Lisbon");
      GenericData.Record value = new GenericData.Record(note);
      value.put("text", "meet at the river");
      value.put("place", place);
      byte[] bytes = ConfluentWireFormat.frame(noteId, AvroBinary.encode(value, note));

      Object decoded = new RegistryValueDecoder(client, 10).decode(bytes).value();
      assertThat(decoded).isEqualTo(Map.of("text", "meet at the river", "place", Map.of("city", "Lisbon")));
    }
  }

  @Test
  void shouldReportAReferenceThatCannotBeFetchedDuringAnOutageAsTransientNamingIt() throws Exception {
    // Apicurio refuses a reference to a missing or non-Avro subject when the schema is registered (42201), so the
    // reference that fails on a real registry is one that cannot be fetched: the schema is cached, its reference not.
    String addressSubject = subject("address");
    ApicurioRegistry registry = SharedRegistry.get();
    try (SchemaRegistryClient client = SchemaRegistryClient.create(SharedRegistry.config().maxRetries(1).build())) {
      client.register(addressSubject, SchemaType.AVRO, ADDRESS);
      int noteId = registerWithReference(subject("value"), NOTE, "it.refs.Address", addressSubject, 1);
      assertThat(client.schemaById(noteId).references()).hasSize(1);
      registry.stop();
      try {
        byte[] bytes = ConfluentWireFormat.frame(noteId, new byte[] {2, 'x', 2, 'y'});
        assertThatThrownBy(() -> new RegistryValueDecoder(client, 10).decode(bytes))
            .isInstanceOf(RecordDecodingException.class)
            .hasMessageContaining("schema id " + noteId + " references 'it.refs.Address' (subject " + addressSubject
                + " version 1), which cannot be resolved")
            .satisfies(e -> assertThat(((RecordDecodingException) e).isTransient()).isTrue());
      } finally {
        registry.restart();
      }
    }
  }

  @Test
  void shouldRejectAValueWhoseReferencedSubjectIsGoneNamingIt() throws Exception {
    String addressSubject = subject("address");
    try (SchemaRegistryClient client = new HttpSchemaRegistryClient(SharedRegistry.config().build())) {
      client.register(addressSubject, SchemaType.AVRO, ADDRESS);
      int noteId = registerWithReference(subject("value"), NOTE, "it.refs.Address", addressSubject, 1);
      delete("/subjects/" + addressSubject);
      delete("/subjects/" + addressSubject + "?permanent=true");

      // Apicurio resolves references itself and no longer serves the schema (404 naming the subject); a registry
      // that serves it leaves the reference to tier0, which names it. Either way the reason says which.
      byte[] bytes = ConfluentWireFormat.frame(noteId, new byte[] {2, 'x', 2, 'y'});
      assertThatThrownBy(() -> new RegistryValueDecoder(client, 10).decode(bytes))
          .isInstanceOf(RecordDecodingException.class).hasMessageContaining(addressSubject)
          .satisfies(e -> assertThat(((RecordDecodingException) e).isTransient()).isFalse());
    }
  }

  /** POST with a references array: the client under test only reads references, it does not write them. */
  private static int registerWithReference(String subject, String schema, String name, String refSubject,
      int refVersion) throws IOException, InterruptedException {
    ObjectNode body = JSON.createObjectNode();
    body.put("schema", schema);
    ObjectNode reference = body.putArray("references").addObject();
    reference.put("name", name);
    reference.put("subject", refSubject);
    reference.put("version", refVersion);
    HttpResponse<String> response = send(HttpRequest.newBuilder(url("/subjects/" + subject + "/versions"))
        .header("Content-Type", "application/vnd.schemaregistry.v1+json")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build());
    assertThat(response.statusCode()).as("register %s: %s", subject, response.body()).isEqualTo(200);
    return JSON.readTree(response.body()).get("id").intValue();
  }

  private static void delete(String path) throws IOException, InterruptedException {
    HttpResponse<String> response = send(HttpRequest.newBuilder(url(path)).DELETE().build());
    assertThat(response.statusCode()).as("DELETE %s: %s", path, response.body()).isIn(200, 204);
  }

  private static URI url(String path) {
    return URI.create(SharedRegistry.get().url() + path);
  }

  private static HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
  }
}
