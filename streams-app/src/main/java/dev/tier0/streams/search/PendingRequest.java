package dev.tier0.streams.search;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A request waiting for its micro-batch, with everything its reply needs: the raw key and value (parsed at
 * flush time, so even an unparseable request keeps its place and gets its error reply), the correlation id
 * bytes, the requested reply topic and partition.
 */
public record PendingRequest(byte[] key, byte[] value, byte[] correlationId, String replyTopic,
                             Integer replyPartition, long timestamp) {

  public byte[] encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      writeBytes(out, key);
      writeBytes(out, value);
      writeBytes(out, correlationId);
      out.writeBoolean(replyTopic != null);
      if (replyTopic != null) {
        out.writeUTF(replyTopic);
      }
      out.writeInt(replyPartition == null ? -1 : replyPartition);
      out.writeLong(timestamp);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  public static PendingRequest decode(byte[] data) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      byte[] key = readBytes(in);
      byte[] value = readBytes(in);
      byte[] correlationId = readBytes(in);
      String replyTopic = in.readBoolean() ? in.readUTF() : null;
      int partition = in.readInt();
      return new PendingRequest(key, value, correlationId, replyTopic, partition < 0 ? null : partition,
          in.readLong());
    } catch (IOException e) {
      throw new UncheckedIOException("unreadable pending request", e);
    }
  }

  private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
    out.writeInt(b == null ? -1 : b.length);
    if (b != null) {
      out.write(b);
    }
  }

  private static byte[] readBytes(DataInputStream in) throws IOException {
    int n = in.readInt();
    return n < 0 ? null : in.readNBytes(n);
  }
}
