package dev.tier0.streams.format;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tier0.registry.RecordDecodingException;
import dev.tier0.registry.RegistryValueDecoder;
import dev.tier0.streams.search.ErrorCode;
import dev.tier0.streams.search.RequestRejectedException;
import java.util.Map;

/**
 * search.request.format=avro: a Confluent wire-format record with the JSON request's fields (query, tenant,
 * top_k, filter, min_score; see search-request.avsc), or an Avro string holding the query alone. Undecodable
 * bytes get an error reply: MALFORMED_REQUEST (wrong magic byte, truncated, not a record), UNKNOWN_SCHEMA, or
 * SCHEMA_REGISTRY_UNAVAILABLE (retriable) once the registry client's retries are used up.
 */
public final class AvroRequestDecoder implements RequestDecoder {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final RegistryValueDecoder decoder;

  public AvroRequestDecoder(RegistryValueDecoder decoder) {
    this.decoder = decoder;
  }

  @Override
  public byte[] toJson(byte[] value) {
    if (value == null || value.length == 0) {
      return value; // the parser answers "empty request"
    }
    Object request;
    try {
      request = decoder.decode(value).value();
    } catch (RecordDecodingException e) {
      throw new RequestRejectedException(code(e.kind()), "undecodable Avro request: " + e.getMessage());
    }
    if (request instanceof String query) {
      request = Map.of("query", query);
    }
    if (!(request instanceof Map<?, ?>)) {
      throw new RequestRejectedException(ErrorCode.MALFORMED_REQUEST, "an Avro search request is a record with a"
          + " query field (or a string), got " + (request == null ? "null" : request.getClass().getSimpleName()));
    }
    try {
      return JSON.writeValueAsBytes(request); // Avro nulls become JSON nulls, which the parser reads as absent
    } catch (JsonProcessingException e) {
      throw new RequestRejectedException(ErrorCode.MALFORMED_REQUEST, "request not representable as JSON: "
          + e.getOriginalMessage());
    }
  }

  private static ErrorCode code(RecordDecodingException.Kind kind) {
    return switch (kind) {
      case UNKNOWN_SCHEMA -> ErrorCode.UNKNOWN_SCHEMA;
      case REGISTRY_UNAVAILABLE, REGISTRY_ERROR -> ErrorCode.SCHEMA_REGISTRY_UNAVAILABLE;
      case MALFORMED, UNSUPPORTED_SCHEMA -> ErrorCode.MALFORMED_REQUEST;
    };
  }
}
