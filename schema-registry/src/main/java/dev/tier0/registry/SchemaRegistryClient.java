package dev.tier0.registry;

import java.util.Optional;

/**
 * The subset of the Confluent Schema Registry REST API that tier0 needs. Confluent's own client is not on
 * Maven Central, so tier0 carries this minimal one; everything else in tier0 talks to a registry only through
 * this interface.
 *
 * <p>Errors are {@link SchemaRegistryException}s: {@link SchemaNotFoundException} (unknown id, subject or
 * version), {@link IncompatibleSchemaException} (409 on register), {@link InvalidSchemaException} (422),
 * {@link RegistryAuthenticationException} (401/403) and {@link RegistryUnavailableException} (the registry
 * could not be reached or kept failing after the configured retries).
 */
public interface SchemaRegistryClient extends AutoCloseable {

  /** The HTTP client behind the cache sized by {@link RegistryConfig#cacheCapacity()}: what callers should use. */
  static SchemaRegistryClient create(RegistryConfig config) {
    return new CachingSchemaRegistryClient(new HttpSchemaRegistryClient(config), config.cacheCapacity());
  }

  /** {@code GET /schemas/ids/{id}}. */
  RegisteredSchema schemaById(int id);

  /**
   * {@code POST /subjects/{subject}/versions}: registers the schema under the subject (or finds it when it is
   * already there) and returns its global id. An incompatible schema is an {@link IncompatibleSchemaException}.
   */
  int register(String subject, SchemaType type, String schema);

  /** {@code POST /subjects/{subject}}: the version of the subject holding this schema, if any. */
  Optional<SubjectVersion> lookup(String subject, SchemaType type, String schema);

  /** {@code GET /subjects/{subject}/versions/latest}. */
  SubjectVersion latest(String subject);

  /**
   * {@code GET /subjects/{subject}/versions/{version}}: how a schema's {@link SchemaReference}s are resolved.
   * An unknown subject or version is a {@link SchemaNotFoundException}.
   */
  SubjectVersion version(String subject, int version);

  @Override
  void close();
}
