package dev.tier0.memory;

import dev.tier0.memory.MappingResult.Delete;
import dev.tier0.memory.MappingResult.Rejected;
import dev.tier0.memory.MappingResult.Skipped;
import dev.tier0.memory.MappingResult.Upsert;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns an {@link IncomingRecord} into exactly one {@link MappingResult}. Shared by the Connect sink and the
 * Streams app so both read text, id, tenant and metadata the same way. Thread-safe and allocation-light.
 */
public final class MemoryMapper {
  /** Hard cap on metadata nesting at mapping time: the upper bound of record.metadata.max.depth. */
  public static final int MAX_METADATA_NESTING = 1000;

  private final MappingConfig config;
  /** Top-level fields consumed as text/id/tenant: not repeated in metadata. */
  private final Set<String> consumedFields;

  public MemoryMapper(MappingConfig config) {
    this.config = config;
    this.consumedFields = consumed(config);
  }

  public MappingConfig config() {
    return config;
  }

  public MappingResult map(IncomingRecord record) {
    try {
      return record.value() == null ? tombstone(record) : upsert(record);
    } catch (RejectedRecord e) {
      return new Rejected(e.getMessage());
    }
  }

  private MappingResult tombstone(IncomingRecord record) {
    if (record.key() == null) {
      return new Rejected("null value without a key: neither a memory nor a delete");
    }
    if (!config.deleteOnTombstone()) {
      return new Skipped("tombstone ignored (delete.on.tombstone=false)");
    }
    // The key of a tombstone names the memory whatever the id strategy: there is no value to read a field from.
    return new Delete(checkedId(keyAsString(record.key()), "record key"));
  }

  private MappingResult upsert(IncomingRecord record) {
    Object value = record.value();
    if (value instanceof byte[] bytes) {
      value = Utf8.decode(bytes).orElseThrow(() -> new RejectedRecord("value is not valid UTF-8 text"));
    }
    if (value instanceof String text) {
      return new Upsert(new Memory(idFor(record, null), config.defaultTenant(), checkedText(text),
          headers(record, new LinkedHashMap<>())));
    }
    if (value instanceof Map<?, ?> map) {
      @SuppressWarnings("unchecked")
      Map<String, Object> fields = (Map<String, Object>) map;
      if (markedDeleted(fields)) {
        // Like a tombstone, but the value is there to read the id from, so the id strategy applies as usual.
        return new Delete(idFor(record, fields));
      }
      String text = checkedText(stringField(fields, config.textField(), "text"));
      String id = idFor(record, fields);
      String tenant = tenant(fields);
      return new Upsert(new Memory(id, tenant, text, headers(record, metadata(fields))));
    }
    throw new RejectedRecord("unsupported value type " + value.getClass().getSimpleName()
        + ": expected a string, UTF-8 bytes, a JSON object or a Struct");
  }

  /**
   * Whether the delete marker says so. Absent or null: not deleted. Debezium's ExtractNewRecordState writes the
   * strings "true" / "false"; a JSON or Avro boolean works too. Anything else is ambiguous, so the record is
   * rejected rather than guessed at (a wrong guess either loses a memory or keeps a deleted one).
   */
  private boolean markedDeleted(Map<String, Object> fields) {
    String path = config.deleteField();
    if (path == null) {
      return false;
    }
    Object marker = FieldPath.get(fields, path);
    if (marker == FieldPath.ABSENT || marker == null) {
      return false;
    }
    if (marker instanceof Boolean b) {
      return b;
    }
    if (marker instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
      return s.equalsIgnoreCase("true");
    }
    throw new RejectedRecord("delete field '" + path + "' (record.delete.field) must be true or false, as a "
        + "boolean or a string, was " + (marker instanceof String s ? "'" + abbreviate(s) + "'"
            : marker.getClass().getSimpleName()));
  }

  private String idFor(IncomingRecord record, Map<String, Object> fields) {
    return switch (config.idStrategy()) {
      case KEY -> {
        if (record.key() == null) {
          throw new RejectedRecord("record has no key but record.id.strategy=key");
        }
        yield checkedId(keyAsString(record.key()), "record key");
      }
      case FIELD -> {
        if (fields == null) {
          throw new RejectedRecord("record.id.strategy=field needs a JSON object or Struct value, got a plain string");
        }
        Object id = FieldPath.get(fields, config.idField());
        if (id == FieldPath.ABSENT || id == null) {
          throw new RejectedRecord("missing id field '" + config.idField() + "'");
        }
        if (!(id instanceof String || id instanceof Number)) {
          throw new RejectedRecord("id field '" + config.idField() + "' must be a string or number, was "
              + id.getClass().getSimpleName());
        }
        yield checkedId(id.toString(), "id field '" + config.idField() + "'");
      }
      case COORDINATES -> record.coordinates();
    };
  }

  private String keyAsString(Object key) {
    if (key instanceof String s) {
      return s;
    }
    if (key instanceof Number n) {
      return n.toString();
    }
    if (key instanceof byte[] bytes) {
      return Utf8.decode(bytes).orElseThrow(() -> new RejectedRecord("record key is not valid UTF-8"));
    }
    throw new RejectedRecord("record key must be a string or number to be an id, was " + key.getClass().getSimpleName());
  }

  private String checkedId(String id, String source) {
    if (id.isBlank()) {
      throw new RejectedRecord(source + " is blank: an id needs at least one visible character");
    }
    int bytes = Utf8.length(id);
    if (bytes > config.maxIdBytes()) {
      throw new RejectedRecord(source + " is " + bytes + " bytes, over the id limit of " + config.maxIdBytes());
    }
    return id;
  }

  private String checkedText(String text) {
    if (text.isBlank()) {
      throw new RejectedRecord("blank text: nothing to embed");
    }
    int surrogate = unpairedSurrogate(text);
    if (surrogate >= 0) {
      throw new RejectedRecord("text has an unpaired UTF-16 surrogate at index " + surrogate
          + ": it cannot be stored as UTF-8 without corrupting it");
    }
    int bytes = Utf8.length(text);
    if (bytes > config.maxTextBytes()) {
      throw new RejectedRecord("text is " + bytes + " bytes, over the cap of " + config.maxTextBytes()
          + " (record.text.max.bytes)");
    }
    return text;
  }

  private String tenant(Map<String, Object> fields) {
    if (config.tenantField() == null || config.tenantField().isBlank()) {
      return config.defaultTenant();
    }
    Object tenant = FieldPath.get(fields, config.tenantField());
    if (tenant == FieldPath.ABSENT || tenant == null) {
      return config.defaultTenant();
    }
    if (!(tenant instanceof String s)) {
      throw new RejectedRecord("tenant field '" + config.tenantField() + "' must be a string, was "
          + tenant.getClass().getSimpleName());
    }
    if (!MappingConfig.TENANT_PATTERN.matcher(s).matches()) {
      throw new RejectedRecord("invalid tenant '" + abbreviate(s) + "': must match "
          + MappingConfig.TENANT_PATTERN.pattern());
    }
    return s;
  }

  private String stringField(Map<String, Object> fields, String path, String what) {
    Object value = FieldPath.get(fields, path);
    if (value == FieldPath.ABSENT || value == null) {
      throw new RejectedRecord("missing " + what + " field '" + path + "'");
    }
    if (value instanceof byte[] bytes) {
      return Utf8.decode(bytes).orElseThrow(
          () -> new RejectedRecord(what + " field '" + path + "' is not valid UTF-8"));
    }
    if (!(value instanceof String s)) {
      throw new RejectedRecord(what + " field '" + path + "' must be a string, was " + value.getClass().getSimpleName());
    }
    return s;
  }

  private Map<String, Object> metadata(Map<String, Object> fields) {
    Map<String, Object> metadata = new LinkedHashMap<>();
    if (config.metadataFields().isEmpty()) {
      fields.forEach((name, value) -> {
        if (!consumedFields.contains(name)) {
          metadata.put(name, jsonSafe(value));
        }
      });
    } else {
      for (String path : config.metadataFields()) {
        Object value = FieldPath.get(fields, path);
        if (value != FieldPath.ABSENT) {
          metadata.put(path, jsonSafe(value));
        }
      }
    }
    return metadata;
  }

  private Map<String, Object> headers(IncomingRecord record, Map<String, Object> metadata) {
    if (config.headerFields().isEmpty()) {
      return metadata;
    }
    Map<String, Object> headers = new LinkedHashMap<>();
    for (String name : config.headerFields()) {
      byte[] value = record.headers().get(name);
      if (value != null) {
        headers.put(name, Utf8.decode(value).orElseGet(() -> Base64.getEncoder().encodeToString(value)));
      }
    }
    if (!headers.isEmpty()) {
      metadata.put("headers", headers);
    }
    return metadata;
  }

  /**
   * Metadata is stored as JSON: bytes become base64, nested maps and lists are kept. The copy is bounded: a value
   * nested deeper than {@link #MAX_METADATA_NESTING} is rejected here, before any recursion deep enough to overflow
   * a thread's stack (a 990-deep JSON value did, and killed the stream thread before the writer's own
   * record.metadata.max.depth check could see it). Plain loops, not streams: a lambda per level tripled the frames.
   */
  private static Object jsonSafe(Object value) {
    return jsonSafe(value, 1);
  }

  private static Object jsonSafe(Object value, int depth) {
    if (value instanceof byte[] bytes) {
      return Base64.getEncoder().encodeToString(bytes);
    }
    if (!(value instanceof Map<?, ?>) && !(value instanceof List<?>)) {
      return value;
    }
    if (depth > MAX_METADATA_NESTING) {
      throw new RejectedRecord("metadata nests more than " + MAX_METADATA_NESTING
          + " levels of objects and arrays (the most record.metadata.max.depth allows)");
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        copy.put(String.valueOf(e.getKey()), jsonSafe(e.getValue(), depth + 1));
      }
      return copy;
    }
    List<?> list = (List<?>) value;
    List<Object> copy = new ArrayList<>(list.size());
    for (Object item : list) {
      copy.add(jsonSafe(item, depth + 1));
    }
    return copy;
  }

  private static int unpairedSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          return i;
        }
      } else if (Character.isLowSurrogate(c)) {
        return i;
      }
    }
    return -1;
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...(" + s.length() + " chars)";
  }

  private static Set<String> consumed(MappingConfig config) {
    Set<String> names = new HashSet<>();
    names.add(config.textField());
    Optional.ofNullable(config.idField()).filter(f -> config.idStrategy() == IdStrategy.FIELD).ifPresent(names::add);
    Optional.ofNullable(config.tenantField()).ifPresent(names::add);
    Optional.ofNullable(config.deleteField()).ifPresent(names::add);
    // Consume only top-level names that are themselves the field; a nested path leaves its parent in metadata.
    names.removeIf(n -> n.contains("."));
    return Set.copyOf(names);
  }

  /** Internal control flow for one record; never escapes {@link #map}. */
  private static final class RejectedRecord extends RuntimeException {
    RejectedRecord(String reason) {
      super(reason, null, false, false);
    }
  }
}
