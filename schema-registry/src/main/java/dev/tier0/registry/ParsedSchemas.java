package dev.tier0.registry;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * Avro schemas parsed once per schema id (parsing on every record would cost more than decoding it). A schema
 * with {@code references} is parsed after the schemas it references (fetched by subject version, recursively,
 * each once), in one parser, so the names it uses are defined; one that cannot be resolved is an
 * {@link RecordDecodingException.Kind#UNSUPPORTED_SCHEMA} (or {@code REGISTRY_UNAVAILABLE}, which may pass) whose
 * message names the reference.
 */
final class ParsedSchemas {
  /** Deeper chains are taken for a cycle or a mistake rather than followed. */
  static final int MAX_REFERENCE_DEPTH = 32;

  private final Map<Integer, Schema> byId;
  private final SchemaRegistryClient registry;

  ParsedSchemas(int capacity, SchemaRegistryClient registry) {
    this.registry = registry;
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
      Schema.Parser parser = new Schema.Parser().setValidateDefaults(false);
      define(parser, registered, registered.references(), new HashSet<>(), 1);
      parsed = parser.parse(registered.schema());
    } catch (SchemaParseException e) {
      throw new RecordDecodingException(RecordDecodingException.Kind.UNSUPPORTED_SCHEMA,
          "schema id " + registered.id() + " is not a valid Avro schema" + (registered.references().isEmpty() ? ""
              : " with its references " + registered.references()) + ": " + e.getMessage(), e);
    }
    synchronized (byId) {
      byId.put(registered.id(), parsed);
    }
    return parsed;
  }

  /** Parses each referenced schema into {@code parser}, its own references first. */
  private void define(Schema.Parser parser, RegisteredSchema root, List<SchemaReference> references,
      Set<SchemaReference> done, int depth) {
    for (SchemaReference reference : references) {
      if (!done.add(reference)) {
        continue; // a diamond: the name is defined already
      }
      if (depth > MAX_REFERENCE_DEPTH) {
        throw unresolved(root, reference, "references nest deeper than " + MAX_REFERENCE_DEPTH, null);
      }
      RegisteredSchema referenced = fetch(root, reference);
      if (referenced.type() != SchemaType.AVRO) {
        throw unresolved(root, reference, "it is a " + referenced.type() + " schema, not Avro", null);
      }
      define(parser, root, referenced.references(), done, depth + 1);
      try {
        parser.parse(referenced.schema());
      } catch (SchemaParseException e) {
        throw unresolved(root, reference, "it does not parse: " + e.getMessage(), e);
      }
    }
  }

  private RegisteredSchema fetch(RegisteredSchema root, SchemaReference reference) {
    try {
      return registry.version(reference.subject(), reference.version()).schema();
    } catch (SchemaRegistryException e) {
      RecordDecodingException failure = unresolved(root, reference, e.getMessage(), e);
      // an unreachable registry may answer later: keep the record's failure transient
      throw e.isTransient() ? new RecordDecodingException(RecordDecodingException.Kind.REGISTRY_UNAVAILABLE,
          failure.getMessage(), e) : failure;
    }
  }

  private static RecordDecodingException unresolved(RegisteredSchema root, SchemaReference reference, String why,
      Throwable cause) {
    return new RecordDecodingException(RecordDecodingException.Kind.UNSUPPORTED_SCHEMA, "schema id " + root.id()
        + " references '" + reference.name() + "' (subject " + reference.subject() + " version "
        + reference.version() + "), which cannot be resolved: " + why, cause);
  }
}
