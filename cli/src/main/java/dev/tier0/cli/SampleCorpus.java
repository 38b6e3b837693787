package dev.tier0.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The bundled sample memories and the searches whose expected top hits the run checks. */
final class SampleCorpus {
  record SampleSearch(String query, String tenant, String expectedTopId) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private SampleCorpus() {}

  static List<JsonNode> memories() {
    return readJsonLines("samples/memories.jsonl");
  }

  static List<SampleSearch> searches() {
    return readJsonLines("samples/searches.jsonl").stream()
        .map(n -> new SampleSearch(n.get("query").asText(), n.get("tenant").asText(), n.get("expect").asText()))
        .toList();
  }

  private static List<JsonNode> readJsonLines(String resource) {
    try (InputStream in = SampleCorpus.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("bundled resource " + resource + " is missing from the classpath");
      }
      List<JsonNode> rows = new ArrayList<>();
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line; (line = reader.readLine()) != null; ) {
        if (!line.isBlank()) {
          rows.add(JSON.readTree(line));
        }
      }
      return rows;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }
}
