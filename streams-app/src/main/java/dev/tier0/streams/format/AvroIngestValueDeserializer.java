package dev.tier0.streams.format;

import dev.tier0.registry.RecordDecodingException;
import dev.tier0.registry.RegistryValueDecoder;
import dev.tier0.streams.ingest.IngestValue;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * ingest.format=avro: Confluent wire-format values read with the writer's schema from the registry. An Avro
 * record becomes a map (the same field paths as a JSON object), an Avro string the text. A value that cannot be
 * decoded (wrong magic byte, truncated, unknown schema id, registry down after its retries) is a
 * {@link SerializationException} whose message says why: the deserialization handler reports and skips it (and
 * writes it to the dead-letter topic when one is set); the stream thread goes on.
 */
public final class AvroIngestValueDeserializer implements Deserializer<IngestValue> {
  private final RegistryValueDecoder decoder;

  public AvroIngestValueDeserializer(RegistryValueDecoder decoder) {
    this.decoder = decoder;
  }

  @Override
  public IngestValue deserialize(String topic, byte[] data) {
    if (data == null) {
      return null; // a tombstone
    }
    try {
      return new IngestValue(decoder.decode(data).value(), data);
    } catch (RecordDecodingException e) {
      throw new SerializationException("ingest value on " + topic + " is not readable Avro ("
          + e.kind().name().toLowerCase() + "): " + e.getMessage(), e);
    }
  }
}
