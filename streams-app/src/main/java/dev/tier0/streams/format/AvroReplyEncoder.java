package dev.tier0.streams.format;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tier0.registry.AvroBinary;
import dev.tier0.registry.AvroMaps;
import dev.tier0.registry.AvroValueEncoder;
import dev.tier0.registry.ConfluentWireFormat;
import dev.tier0.registry.SchemaRegistryClient;
import dev.tier0.registry.SchemaRegistryException;
import dev.tier0.registry.SchemaType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * search.reply.format=avro: replies as Confluent wire-format Avro under {@code search-reply.avsc}, the JSON reply
 * field for field (hit metadata as JSON text). Subjects follow TopicNameStrategy: the schema is registered under
 * {@code <default reply topic>-value} at start-up (a registry problem stops the start, not a reply), and under
 * {@code <topic>-value} of each other reply topic on its first reply. Should that registration fail, the reply
 * still goes out under the default subject's schema id: consumers resolve schemas by id, and the schema is the
 * same.
 */
public final class AvroReplyEncoder implements ReplyEncoder {
  public static final Schema SCHEMA = load();
  private static final Logger LOG = LoggerFactory.getLogger(AvroReplyEncoder.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private final SchemaRegistryClient registry;
  private final boolean autoRegister;
  private final int defaultId;
  private final Map<String, Integer> idByTopic = new ConcurrentHashMap<>();

  public AvroReplyEncoder(SchemaRegistryClient registry, String defaultReplyTopic, boolean autoRegister) {
    this.registry = registry;
    this.autoRegister = autoRegister;
    this.defaultId = new AvroValueEncoder(registry, AvroValueEncoder.valueSubject(defaultReplyTopic), SCHEMA,
        autoRegister).schemaId();
    idByTopic.put(defaultReplyTopic, defaultId);
  }

  @Override
  public byte[] encode(String topic, byte[] json) {
    return ConfluentWireFormat.frame(idFor(topic), AvroBinary.encode(toRecord(json), SCHEMA));
  }

  /**
   * The JSON reply as a record of {@link #SCHEMA}. Should the JSON ever hold what the schema cannot (a reply
   * field changed without the schema), the client still gets its one reply: an INTERNAL_ERROR saying so.
   */
  static GenericRecord toRecord(byte[] json) {
    Map<String, Object> reply;
    try {
      reply = JSON.readValue(json, MAP);
    } catch (IOException e) {
      throw new UncheckedIOException("a reply is always JSON", e);
    }
    try {
      return AvroMaps.toRecord(reply, SCHEMA);
    } catch (IllegalArgumentException | AvroRuntimeException e) {
      LOG.error("a reply does not fit search-reply.avsc, answering INTERNAL_ERROR instead: {}", e.getMessage());
      Map<String, Object> error = new LinkedHashMap<>();
      error.put("correlation_id", reply.get("correlation_id") instanceof String id ? id : null);
      error.put("error", Map.of("code", "INTERNAL_ERROR", "retriable", false,
          "message", "the reply could not be written as Avro (search-reply.avsc): " + e.getMessage()));
      return AvroMaps.toRecord(error, SCHEMA);
    }
  }

  public int defaultSchemaId() {
    return defaultId;
  }

  private int idFor(String topic) {
    Integer known = idByTopic.get(topic);
    if (known != null) {
      return known;
    }
    String subject = AvroValueEncoder.valueSubject(topic);
    try {
      int id = autoRegister ? registry.register(subject, SchemaType.AVRO, SCHEMA.toString())
          : registry.lookup(subject, SchemaType.AVRO, SCHEMA.toString()).map(v -> v.id()).orElse(defaultId);
      idByTopic.put(topic, id);
      return id;
    } catch (SchemaRegistryException e) {
      // not cached: the next reply to this topic tries the registration again
      LOG.warn("cannot register the reply schema under {} ({}); replying with the default subject's schema id {}",
          subject, e.getMessage(), defaultId);
      return defaultId;
    }
  }

  private static Schema load() {
    try (InputStream in = AvroReplyEncoder.class.getResourceAsStream("search-reply.avsc")) {
      if (in == null) {
        throw new IllegalStateException("search-reply.avsc missing from the class path");
      }
      return new Schema.Parser().parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
