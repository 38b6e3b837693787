package dev.tier0.streams.format;

import dev.tier0.memory.RecordKeys;
import dev.tier0.registry.RecordDecodingException;
import dev.tier0.registry.RegistryValueDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * ingest.key.format=avro: a Confluent wire-format key (an Avro string, a number, or a record with a single such
 * field, see {@link RecordKeys}) as the UTF-8 bytes of its value, which is what the mapper reads as a memory id. Without it, the key's 5-byte header would become part
 * of every id. Undecodable keys are reported and skipped like undecodable values.
 */
public final class AvroKeyDeserializer implements Deserializer<byte[]> {
  private final RegistryValueDecoder decoder;

  public AvroKeyDeserializer(RegistryValueDecoder decoder) {
    this.decoder = decoder;
  }

  @Override
  public byte[] deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    Object key;
    try {
      // a record key with a single field names the memory by that field, as in the connector
      key = RecordKeys.idValue(decoder.decode(data).value());
    } catch (RecordDecodingException e) {
      throw new SerializationException("ingest key on " + topic + " is not readable Avro ("
          + e.kind().name().toLowerCase() + "): " + e.getMessage(), e);
    }
    if (key instanceof CharSequence || key instanceof Number) {
      return key.toString().getBytes(StandardCharsets.UTF_8);
    }
    throw new SerializationException("ingest key on " + topic + " is an Avro "
        + (key == null ? "null" : key instanceof Map<?, ?> m ? "record with " + m.size() + " fields"
            : key.getClass().getSimpleName())
        + ": a key must be a string, a number, or a record with a single such field to be an id");
  }
}
