package dev.tier0.streams.format;

import dev.tier0.registry.RegistryValueDecoder;
import dev.tier0.registry.SchemaRegistryClient;
import dev.tier0.streams.ingest.IngestValue;
import dev.tier0.streams.ingest.IngestValueDeserializer;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * The codecs at the topology's edges, chosen by ingest.format, search.request.format and search.reply.format.
 *
 * @param ingestKeys    ingest topic keys to the bytes the mapper reads as an id
 * @param ingestValues  ingest topic values to the mapper's String or Map
 * @param requests      request topic values to the JSON request
 * @param replies       the JSON reply to the reply topic's format
 */
public record WireFormats(Supplier<Deserializer<byte[]>> ingestKeys, Supplier<Deserializer<IngestValue>> ingestValues,
                          RequestDecoder requests, ReplyEncoder replies) {
  /** JSON everywhere: the app without a Schema Registry. */
  public static final WireFormats JSON = new WireFormats(ByteArrayDeserializer::new, IngestValueDeserializer::new,
      RequestDecoder.JSON, ReplyEncoder.JSON);

  /**
   * The codecs for the given formats; {@code registry} may be null when none is AVRO. An Avro reply format
   * registers the reply schema under {@code <defaultReplyTopic>-value} here, so a registry problem fails the start.
   */
  public static WireFormats of(TopicFormat ingestKey, TopicFormat ingest, TopicFormat requests, TopicFormat replies,
                               SchemaRegistryClient registry, String defaultReplyTopic, boolean autoRegister,
                               int schemaCacheCapacity) {
    RegistryValueDecoder decoder = registry == null ? null : new RegistryValueDecoder(registry, schemaCacheCapacity);
    Supplier<Deserializer<byte[]>> ingestKeys = switch (ingestKey) {
      case STRING -> ByteArrayDeserializer::new;
      case AVRO -> {
        RegistryValueDecoder avro = required(decoder, "ingest key");
        yield () -> new AvroKeyDeserializer(avro);
      }
      case JSON -> throw new IllegalArgumentException("ingest keys are string or avro, not json");
    };
    Supplier<Deserializer<IngestValue>> ingestValues = switch (ingest) {
      case JSON -> IngestValueDeserializer::new;
      case STRING -> StringIngestValueDeserializer::new;
      case AVRO -> {
        RegistryValueDecoder avro = required(decoder, "ingest");
        yield () -> new AvroIngestValueDeserializer(avro);
      }
    };
    RequestDecoder requestDecoder = switch (requests) {
      case JSON -> RequestDecoder.JSON;
      case STRING -> new StringRequestDecoder();
      case AVRO -> new AvroRequestDecoder(required(decoder, "search request"));
    };
    ReplyEncoder replyEncoder = switch (replies) {
      case JSON -> ReplyEncoder.JSON;
      case STRING -> throw new IllegalArgumentException("search replies are json or avro, not string");
      case AVRO -> new AvroReplyEncoder(required(registry, "search reply"), defaultReplyTopic, autoRegister);
    };
    return new WireFormats(ingestKeys, ingestValues, requestDecoder, replyEncoder);
  }

  private static <T> T required(T registryPart, String what) {
    if (registryPart == null) {
      throw new IllegalArgumentException("the " + what + " format is avro but no Schema Registry is configured");
    }
    return registryPart;
  }
}
