package dev.tier0.streams.ingest;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tier0.ingest.Source;
import dev.tier0.ingest.WriteRequest;
import dev.tier0.memory.Memory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * JSON for the pending store (and so its changelog topic): readable when someone inspects the changelog. The
 * fields of earlier versions keep their names and meaning, so a changelog written by one restores in this one.
 * Non-finite metadata numbers are written as the strings "NaN", "Infinity", "-Infinity" (Jackson's default),
 * which is what the writer stores for them anyway.
 */
public final class PendingRecordSerde implements Serde<PendingRecord> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {};

  @Override
  public Serializer<PendingRecord> serializer() {
    return (topic, pending) -> pending == null ? null : encode(pending);
  }

  @Override
  public Deserializer<PendingRecord> deserializer() {
    return (topic, bytes) -> bytes == null ? null : decode(bytes);
  }

  static byte[] encode(PendingRecord pending) {
    ObjectNode node = JSON.createObjectNode();
    WriteRequest request = pending.request();
    if (request instanceof WriteRequest.Upsert u) {
      node.put("op", "upsert");
      node.put("id", u.memory().id());
      node.put("tenant", u.memory().tenant());
      node.put("text", u.memory().text());
      node.set("metadata", JSON.valueToTree(u.memory().metadata()));
    } else {
      node.put("op", "delete");
      node.put("id", request.id());
    }
    Source source = request.source();
    node.put("topic", source.topic());
    node.put("partition", source.partition());
    node.put("offset", source.offset());
    node.put("timestamp", source.timestamp());
    if (pending.rawKey() != null) {
      node.put("raw_key", pending.rawKey());
    }
    if (pending.rawValue() != null) {
      node.put("raw_value", pending.rawValue());
    }
    if (!pending.rawHeaders().isEmpty()) {
      ArrayNode headers = node.putArray("raw_headers");
      for (PendingRecord.RawHeader h : pending.rawHeaders()) {
        ObjectNode header = headers.addObject().put("key", h.key());
        if (h.value() != null) {
          header.put("value", h.value());
        }
      }
    }
    try {
      return JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new SerializationException("pending write for id " + request.id() + " not serialisable", e);
    }
  }

  static PendingRecord decode(byte[] bytes) {
    try {
      JsonNode node = JSON.readTree(bytes);
      String id = node.get("id").textValue();
      // deletes of earlier versions carried no coordinates
      Source source = new Source(node.path("topic").asText(""), node.path("partition").asInt(-1),
          node.path("offset").asLong(-1), node.path("timestamp").asLong(-1));
      WriteRequest request;
      if ("delete".equals(node.path("op").textValue())) {
        request = new WriteRequest.Delete(id, source);
      } else {
        Memory memory = new Memory(id, node.get("tenant").textValue(), node.get("text").textValue(),
            JSON.convertValue(node.get("metadata"), OBJECT));
        request = new WriteRequest.Upsert(memory, source);
      }
      List<PendingRecord.RawHeader> headers = new ArrayList<>();
      for (JsonNode h : node.path("raw_headers")) {
        headers.add(new PendingRecord.RawHeader(h.get("key").textValue(),
            h.hasNonNull("value") ? h.get("value").binaryValue() : null));
      }
      return new PendingRecord(request, binary(node, "raw_key"), binary(node, "raw_value"), headers);
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("unreadable pending write", e);
    }
  }

  private static byte[] binary(JsonNode node, String field) throws IOException {
    return node.hasNonNull(field) ? node.get(field).binaryValue() : null;
  }
}
