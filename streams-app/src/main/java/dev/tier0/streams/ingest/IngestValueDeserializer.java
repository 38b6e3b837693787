package dev.tier0.streams.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Ingest values are UTF-8: a JSON object when the text starts with '{', plain text otherwise. Bytes that are not
 * UTF-8, or that start like an object but are not valid JSON, throw a {@link SerializationException}, which
 * Kafka Streams hands to the configured deserialization exception handler (the stream thread survives).
 */
public final class IngestValueDeserializer implements Deserializer<IngestValue> {
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {};

  @Override
  public IngestValue deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(data)).toString();
    } catch (CharacterCodingException e) {
      throw new SerializationException("ingest value on " + topic + " is not valid UTF-8", e);
    }
    if (!text.stripLeading().startsWith("{")) {
      return new IngestValue(text, data);
    }
    try {
      return new IngestValue(JSON.readValue(text, OBJECT), data);
    } catch (IOException e) {
      throw new SerializationException("ingest value on " + topic + " starts like a JSON object but is not one", e);
    }
  }
}
