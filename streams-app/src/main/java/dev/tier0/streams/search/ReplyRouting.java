package dev.tier0.streams.search;

import dev.tier0.streams.format.ReplyEncoder;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.RecordContext;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.processor.TopicNameExtractor;

/** The reply sink's topic, partition and value come from the {@link OutgoingReply} the processor built. */
public final class ReplyRouting {
  private ReplyRouting() {}

  public static TopicNameExtractor<byte[], OutgoingReply> topic() {
    return new TopicNameExtractor<>() {
      @Override
      public String extract(byte[] key, OutgoingReply reply, RecordContext context) {
        return reply.topic();
      }

      @Override
      public String toString() {
        return "the request's kafka_replyTopic, else the default reply topic";
      }
    };
  }

  public static StreamPartitioner<byte[], OutgoingReply> partitioner() {
    return new StreamPartitioner<>() {
      @Override
      public Optional<Set<Integer>> partitions(String topic, byte[] key, OutgoingReply reply, int numPartitions) {
        // Out-of-range partitions fall back to the default partitioner rather than failing the send.
        if (reply.partition() == null || reply.partition() >= numPartitions) {
          return Optional.empty();
        }
        return Optional.of(Set.of(reply.partition()));
      }
    };
  }

  public static Serializer<OutgoingReply> valueSerializer() {
    return valueSerializer(ReplyEncoder.JSON);
  }

  /** The JSON reply in the reply topic's format (the topic is the one the reply goes to). */
  public static Serializer<OutgoingReply> valueSerializer(ReplyEncoder encoder) {
    return (topic, reply) -> reply == null ? null : encoder.encode(topic, reply.json());
  }
}
