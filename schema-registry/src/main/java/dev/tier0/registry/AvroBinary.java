package dev.tier0.registry;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/** Avro binary encoding of one datum (no container file, no header): the payload of the wire format. */
public final class AvroBinary {
  private AvroBinary() {}

  public static byte[] encode(Object datum, Schema schema) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    try {
      new GenericDatumWriter<>(schema).write(datum, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    return out.toByteArray();
  }

  /**
   * Decodes exactly {@code length} bytes as one datum of the writer's schema. Running out of bytes (truncated),
   * bytes left over (a different schema wrote them), or values Avro rejects are MALFORMED.
   */
  public static Object decode(Schema writer, byte[] bytes, int offset, int length) {
    BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, offset, length, null);
    Object datum;
    try {
      datum = new GenericDatumReader<>(writer).read(null, decoder);
    } catch (EOFException e) {
      throw RecordDecodingException.malformed("truncated Avro payload: " + length
          + " bytes end before the record of schema " + writer.getFullName() + " does", e);
    } catch (IOException | RuntimeException e) {
      throw RecordDecodingException.malformed("the " + length + "-byte payload is not a valid Avro "
          + writer.getFullName() + ": " + e, e);
    }
    try {
      if (!decoder.isEnd()) {
        int left = decoder.inputStream().available();
        throw RecordDecodingException.malformed(left + " bytes left over after the Avro " + writer.getFullName()
            + " record: the payload was written with a different schema", null);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return datum;
  }
}
