package dev.tier0.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes memories to an ingest topic as JSON objects keyed by their id. A plain text line becomes
 * {"id": sha256(text)[0..16], "text": line}, so ingesting the same file twice upserts rather than duplicates.
 */
final class Ingestor {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Ingestor() {}

  /** One memory as it goes on the topic: key and JSON value (null: a tombstone). */
  record Outgoing(String key, String value) {}

  static Outgoing fromLine(String line, String idField) {
    String trimmed = line.strip();
    if (trimmed.startsWith("{")) {
      try {
        return new Outgoing(keyOf(JSON.readTree(trimmed), idField), trimmed);
      } catch (Exception e) {
        // not JSON after all: a text line that happens to start with a brace
      }
    }
    ObjectNode node = JSON.createObjectNode();
    String id = contentId(trimmed);
    node.put(idField, id);
    node.put("text", trimmed);
    return new Outgoing(id, node.toString());
  }

  /** A tombstone for one memory: its id as the key, no value (a delete in both runtimes). */
  static Outgoing tombstone(String memoryId) {
    if (memoryId == null || memoryId.isBlank()) {
      throw new IllegalArgumentException("a memory id to delete cannot be blank");
    }
    return new Outgoing(memoryId, null);
  }

  static Outgoing fromJson(JsonNode node, String idField) {
    return new Outgoing(keyOf(node, idField), node.toString());
  }

  /** The record key: the id field as text; none when the field is missing or JSON null (never the word "null"). */
  private static String keyOf(JsonNode node, String idField) {
    JsonNode id = node.get(idField);
    return id == null || id.isNull() ? null : id.asText();
  }

  /** Produces every record, waits for every acknowledgement, and reports progress per acknowledged record. */
  static void produce(String bootstrapServers, String topic, List<Outgoing> records, ProgressBar progress) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    try (KafkaProducer<String, String> producer =
             new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      List<Future<RecordMetadata>> acks = records.stream()
          .map(r -> producer.send(new ProducerRecord<>(topic, r.key(), r.value()), (meta, error) -> {
            if (error == null) {
              progress.step(1);
            }
          }))
          .toList();
      producer.flush();
      for (Future<RecordMetadata> ack : acks) {
        ack.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while producing to " + topic, e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("producing to " + topic + " failed: " + e.getCause().getMessage(), e.getCause());
    }
  }

  private static String contentId(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
