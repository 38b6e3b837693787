package dev.tier0.registry;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/** Avro schemas parsed once per schema id (parsing on every record would cost more than decoding it). */
final class ParsedSchemas {
  private final Map<Integer, Schema> byId;

  ParsedSchemas(int capacity) {
    this.byId = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Integer, Schema> eldest) {
        return size() > capacity;
      }
    };
  }

  Schema avro(RegisteredSchema registered) {
    synchronized (byId) {
      Schema cached = byId.get(registered.id());
      if (cached != null) {
        return cached;
      }
    }
    Schema parsed;
    try {
      parsed = new Schema.Parser().setValidateDefaults(false).parse(registered.schema());
    } catch (SchemaParseException e) {
      throw new RecordDecodingException(RecordDecodingException.Kind.UNSUPPORTED_SCHEMA,
          "schema id " + registered.id() + " is not a valid Avro schema: " + e.getMessage(), e);
    }
    synchronized (byId) {
      byId.put(registered.id(), parsed);
    }
    return parsed;
  }
}
