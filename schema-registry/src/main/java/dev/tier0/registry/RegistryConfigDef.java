package dev.tier0.registry;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.types.Password;

/**
 * The registry keys as a {@link ConfigDef} fragment, for an application's own config class: the names, docs and
 * defaults are {@link RegistryConfig}'s (Confluent's client names), secrets are PASSWORD-typed so they are never
 * logged.
 */
public final class RegistryConfigDef {
  public static final String GROUP = "Schema Registry";

  private RegistryConfigDef() {}

  public static ConfigDef define(ConfigDef def) {
    int order = 0;
    return def
        .define(RegistryConfig.URL, Type.LIST, "", Importance.HIGH,
            "Schema Registry base URLs (Confluent REST API), comma-separated; tried in turn when one fails. Needed "
                + "only when a topic format is avro. For Apicurio Registry use its /apis/ccompat/v7 path.",
            GROUP, ++order, ConfigDef.Width.LONG, "Schema Registry URLs")
        .define(RegistryConfig.BASIC_AUTH_CREDENTIALS_SOURCE, Type.STRING, "USER_INFO",
            ConfigDef.ValidString.in("USER_INFO", "URL"), Importance.LOW,
            "Where basic-auth credentials come from: USER_INFO (basic.auth.user.info) or URL (user:password@ in "
                + "the URL).", GROUP, ++order, ConfigDef.Width.SHORT, "Basic auth source")
        .define(RegistryConfig.BASIC_AUTH_USER_INFO, Type.PASSWORD, null, Importance.MEDIUM,
            "Basic-auth credentials as user:password.", GROUP, ++order, ConfigDef.Width.MEDIUM, "Basic auth")
        .define(RegistryConfig.BEARER_AUTH_TOKEN, Type.PASSWORD, null, Importance.MEDIUM,
            "A static bearer token sent as Authorization: Bearer (instead of basic auth).", GROUP, ++order,
            ConfigDef.Width.MEDIUM, "Bearer token")
        .define(RegistryConfig.TRUSTSTORE_LOCATION, Type.STRING, null, Importance.LOW,
            "Trust store for an https registry (default: the JVM's trust store).", GROUP, ++order,
            ConfigDef.Width.LONG, "Trust store")
        .define(RegistryConfig.TRUSTSTORE_PASSWORD, Type.PASSWORD, null, Importance.LOW, "Trust store password.",
            GROUP, ++order, ConfigDef.Width.MEDIUM, "Trust store password")
        .define(RegistryConfig.TRUSTSTORE_TYPE, Type.STRING, "PKCS12", Importance.LOW, "Trust store type.",
            GROUP, ++order, ConfigDef.Width.SHORT, "Trust store type")
        .define(RegistryConfig.KEYSTORE_LOCATION, Type.STRING, null, Importance.LOW,
            "Key store with a client certificate, for mutual TLS.", GROUP, ++order, ConfigDef.Width.LONG,
            "Key store")
        .define(RegistryConfig.KEYSTORE_PASSWORD, Type.PASSWORD, null, Importance.LOW, "Key store password.",
            GROUP, ++order, ConfigDef.Width.MEDIUM, "Key store password")
        .define(RegistryConfig.KEYSTORE_TYPE, Type.STRING, "PKCS12", Importance.LOW, "Key store type.",
            GROUP, ++order, ConfigDef.Width.SHORT, "Key store type")
        .define(RegistryConfig.KEY_PASSWORD, Type.PASSWORD, null, Importance.LOW,
            "Password of the key in the key store (default: the key store password).", GROUP, ++order,
            ConfigDef.Width.MEDIUM, "Key password")
        .define(RegistryConfig.CONNECT_TIMEOUT_MS, Type.INT, 5_000, Range.atLeast(1), Importance.LOW,
            "Timeout for connecting to the registry.", GROUP, ++order, ConfigDef.Width.SHORT, "Connect timeout")
        .define(RegistryConfig.READ_TIMEOUT_MS, Type.INT, 10_000, Range.atLeast(1), Importance.LOW,
            "Timeout for one registry request.", GROUP, ++order, ConfigDef.Width.SHORT, "Request timeout")
        .define(RegistryConfig.MAX_RETRIES, Type.INT, 5, Range.atLeast(0), Importance.MEDIUM,
            "Retries of a registry request that failed transiently (connection refused, timeout, 5xx, 429), "
                + "with exponential backoff. When they are used up the record is reported and skipped (ingest) or "
                + "answered with SCHEMA_REGISTRY_UNAVAILABLE (search).", GROUP, ++order, ConfigDef.Width.SHORT,
            "Max retries")
        .define(RegistryConfig.RETRIES_WAIT_MS, Type.INT, 500, Range.atLeast(1), Importance.LOW,
            "First backoff before a retry; doubled on each further retry.", GROUP, ++order,
            ConfigDef.Width.SHORT, "Retry backoff")
        .define(RegistryConfig.RETRIES_MAX_WAIT_MS, Type.INT, 8_000, Range.atLeast(1), Importance.LOW,
            "Longest backoff between two retries.", GROUP, ++order, ConfigDef.Width.SHORT, "Max retry backoff")
        .define(RegistryConfig.CACHE_CAPACITY, Type.INT, 1_000, Range.atLeast(1), Importance.LOW,
            "Schemas kept in memory (by id, and by subject for registrations).", GROUP, ++order,
            ConfigDef.Width.SHORT, "Schema cache size");
  }

  /** The client configuration from a parsed config holding the keys {@link #define} added. */
  public static RegistryConfig registryConfig(AbstractConfig config) {
    Map<String, Object> values = new HashMap<>();
    for (String key : define(new ConfigDef()).names()) {
      Object value = config.values().get(key);
      if (value instanceof Password password) {
        value = password.value();
      }
      if (value != null) {
        values.put(key, value);
      }
    }
    return RegistryConfig.fromProperties(values);
  }
}
