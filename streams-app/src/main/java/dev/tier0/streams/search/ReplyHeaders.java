package dev.tier0.streams.search;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Spring Kafka's request/reply header names (KafkaHeaders.REPLY_TOPIC, CORRELATION_ID, REPLY_PARTITION), so a
 * ReplyingKafkaTemplate works against the search topic unchanged. The correlation id is opaque bytes: echoed
 * exactly.
 */
public final class ReplyHeaders {
  public static final String REPLY_TOPIC = "kafka_replyTopic";
  public static final String CORRELATION_ID = "kafka_correlationId";
  /** A 4-byte big-endian int, as Spring writes it. */
  public static final String REPLY_PARTITION = "kafka_replyPartition";

  private ReplyHeaders() {}

  public static Optional<byte[]> last(Headers headers, String name) {
    Header header = headers.lastHeader(name);
    return header == null || header.value() == null ? Optional.empty() : Optional.of(header.value());
  }

  /** The partition the requester listens on, when it said one (and said it in Spring's 4-byte form). */
  public static Optional<Integer> replyPartition(Headers headers) {
    return last(headers, REPLY_PARTITION).filter(b -> b.length == Integer.BYTES)
        .map(b -> ByteBuffer.wrap(b).getInt()).filter(p -> p >= 0);
  }

  /** The correlation id as it appears in the reply JSON. */
  public static String correlationText(byte[] correlationId) {
    return correlationId == null ? null : Base64.getEncoder().encodeToString(correlationId);
  }
}
