package dev.tier0.registry;

import java.nio.ByteBuffer;

/**
 * The Confluent wire format: magic byte 0, the schema id as a 4-byte big-endian int, then the payload (Avro
 * binary, or UTF-8 JSON for JSON Schema).
 */
public final class ConfluentWireFormat {
  public static final byte MAGIC_BYTE = 0;
  public static final int HEADER_LENGTH = 5;

  private ConfluentWireFormat() {}

  /** The payload of a framed record: its schema id and where the payload sits in the original array. */
  public record Framed(int schemaId, byte[] bytes, int offset, int length) {}

  public static byte[] frame(int schemaId, byte[] payload) {
    return ByteBuffer.allocate(HEADER_LENGTH + payload.length).put(MAGIC_BYTE).putInt(schemaId).put(payload).array();
  }

  /** Reads the header; a missing, short or foreign header is a {@link RecordDecodingException} (MALFORMED). */
  public static Framed unframe(byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      throw RecordDecodingException.malformed("empty value: no Confluent wire-format header", null);
    }
    if (bytes[0] != MAGIC_BYTE) {
      throw RecordDecodingException.malformed("unknown magic byte " + describe(bytes[0])
          + ": a Confluent wire-format value starts with 0" + hint(bytes[0]), null);
    }
    if (bytes.length < HEADER_LENGTH) {
      throw RecordDecodingException.malformed("truncated header: " + bytes.length
          + " bytes, the magic byte and the 4-byte schema id need " + HEADER_LENGTH, null);
    }
    int schemaId = ByteBuffer.wrap(bytes, 1, 4).getInt();
    return new Framed(schemaId, bytes, HEADER_LENGTH, bytes.length - HEADER_LENGTH);
  }

  private static String describe(byte b) {
    return String.format("0x%02X", b & 0xFF);
  }

  private static String hint(byte b) {
    return b == '{' || b == '[' || b == '"' ? " (this looks like plain JSON: is the topic's format set right?)" : "";
  }
}
