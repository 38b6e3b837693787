package dev.tier0.streams.format;

/**
 * Turns a search request's bytes, in the request topic's format, into the JSON request the parser validates.
 * A request that cannot be decoded is a {@code RequestRejectedException}, answered with an error reply.
 */
@FunctionalInterface
public interface RequestDecoder {
  /** search.request.format=json: the bytes are the JSON request. */
  RequestDecoder JSON = value -> value;

  byte[] toJson(byte[] value);
}
