package dev.tier0.streams.format;

import dev.tier0.streams.ingest.IngestValue;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/** ingest.format=string: the whole value is the text, even when it looks like JSON. */
public final class StringIngestValueDeserializer implements Deserializer<IngestValue> {
  @Override
  public IngestValue deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    try {
      String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(data)).toString();
      return new IngestValue(text, data);
    } catch (CharacterCodingException e) {
      throw new SerializationException("ingest value on " + topic + " is not valid UTF-8", e);
    }
  }
}
