package dev.tier0.streams.ingest;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tier0.memory.Memory;
import java.io.IOException;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** JSON for the pending store (and so its changelog topic): readable when someone inspects the changelog. */
public final class PendingWriteSerde implements Serde<PendingWrite> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {};

  @Override
  public Serializer<PendingWrite> serializer() {
    return (topic, write) -> write == null ? null : encode(write);
  }

  @Override
  public Deserializer<PendingWrite> deserializer() {
    return (topic, bytes) -> bytes == null ? null : decode(bytes);
  }

  static byte[] encode(PendingWrite write) {
    ObjectNode node = JSON.createObjectNode();
    if (write instanceof PendingWrite.Upsert u) {
      node.put("op", "upsert");
      node.put("id", u.memory().id());
      node.put("tenant", u.memory().tenant());
      node.put("text", u.memory().text());
      node.set("metadata", JSON.valueToTree(u.memory().metadata()));
      node.put("topic", u.topic());
      node.put("partition", u.partition());
      node.put("offset", u.offset());
      node.put("timestamp", u.timestamp());
    } else {
      node.put("op", "delete");
      node.put("id", write.id());
    }
    try {
      return JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new SerializationException("pending write for id " + write.id() + " not serialisable", e);
    }
  }

  static PendingWrite decode(byte[] bytes) {
    try {
      JsonNode node = JSON.readTree(bytes);
      String id = node.get("id").textValue();
      if ("delete".equals(node.path("op").textValue())) {
        return new PendingWrite.Delete(id);
      }
      Memory memory = new Memory(id, node.get("tenant").textValue(), node.get("text").textValue(),
          JSON.convertValue(node.get("metadata"), OBJECT));
      return new PendingWrite.Upsert(memory, node.get("topic").textValue(), node.get("partition").intValue(),
          node.get("offset").longValue(), node.get("timestamp").longValue());
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("unreadable pending write", e);
    }
  }
}
