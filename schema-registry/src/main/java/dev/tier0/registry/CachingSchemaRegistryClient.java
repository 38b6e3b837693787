package dev.tier0.registry;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Caches what the registry can never change: a schema by its id, the id a subject gives a schema text, a found
 * subject version, and a numbered subject version. {@link #latest} is not cached: a subject's latest version moves. Bounded LRU maps;
 * lookups run outside the lock, so two threads missing together both ask the registry (harmless).
 */
public final class CachingSchemaRegistryClient implements SchemaRegistryClient {
  private final SchemaRegistryClient delegate;
  private final Lru<Integer, RegisteredSchema> byId;
  private final Lru<SubjectSchema, Integer> registered;
  private final Lru<SubjectSchema, SubjectVersion> found;

  private final Lru<SubjectNumber, SubjectVersion> versions;

  private record SubjectSchema(String subject, SchemaType type, String schema) {}

  private record SubjectNumber(String subject, int version) {}

  public CachingSchemaRegistryClient(SchemaRegistryClient delegate, int capacity) {
    this.delegate = delegate;
    this.byId = new Lru<>(capacity);
    this.registered = new Lru<>(capacity);
    this.found = new Lru<>(capacity);
    this.versions = new Lru<>(capacity);
  }

  @Override
  public RegisteredSchema schemaById(int id) {
    RegisteredSchema cached = byId.get(id);
    if (cached != null) {
      return cached;
    }
    RegisteredSchema schema = delegate.schemaById(id);
    byId.put(id, schema);
    return schema;
  }

  @Override
  public int register(String subject, SchemaType type, String schema) {
    SubjectSchema key = new SubjectSchema(subject, type, schema);
    Integer cached = registered.get(key);
    if (cached != null) {
      return cached;
    }
    int id = delegate.register(subject, type, schema);
    registered.put(key, id);
    byId.put(id, new RegisteredSchema(id, type, schema));
    return id;
  }

  @Override
  public Optional<SubjectVersion> lookup(String subject, SchemaType type, String schema) {
    SubjectSchema key = new SubjectSchema(subject, type, schema);
    SubjectVersion cached = found.get(key);
    if (cached != null) {
      return Optional.of(cached);
    }
    Optional<SubjectVersion> version = delegate.lookup(subject, type, schema);
    version.ifPresent(v -> found.put(key, v)); // absence is not cached: the schema may be registered any time
    return version;
  }

  @Override
  public SubjectVersion latest(String subject) {
    SubjectVersion latest = delegate.latest(subject);
    byId.put(latest.id(), latest.schema());
    return latest;
  }

  @Override
  public SubjectVersion version(String subject, int version) {
    SubjectNumber key = new SubjectNumber(subject, version);
    SubjectVersion cached = versions.get(key);
    if (cached != null) {
      return cached;
    }
    SubjectVersion found = delegate.version(subject, version);
    versions.put(key, found);
    byId.put(found.id(), found.schema());
    return found;
  }

  @Override
  public void close() {
    delegate.close();
  }

  /** A small synchronized access-ordered map that drops its eldest entry past capacity. */
  private static final class Lru<K, V> {
    private final Map<K, V> map;

    Lru(int capacity) {
      this.map = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
          return size() > capacity;
        }
      };
    }

    synchronized V get(K key) {
      return map.get(key);
    }

    synchronized void put(K key, V value) {
      map.put(key, value);
    }
  }
}
