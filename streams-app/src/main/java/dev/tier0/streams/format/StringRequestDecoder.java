package dev.tier0.streams.format;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tier0.streams.search.ErrorCode;
import dev.tier0.streams.search.RequestRejectedException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** search.request.format=string: the value is the query; tenant, top_k and the rest take their defaults. */
public final class StringRequestDecoder implements RequestDecoder {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public byte[] toJson(byte[] value) {
    if (value == null || value.length == 0) {
      return value; // the parser answers "empty request"
    }
    try {
      String query = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(value)).toString();
      return JSON.writeValueAsBytes(Map.of("query", query));
    } catch (CharacterCodingException e) {
      throw new RequestRejectedException(ErrorCode.MALFORMED_REQUEST, "the query is not valid UTF-8");
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a string map is always writable as JSON", e);
    }
  }
}
