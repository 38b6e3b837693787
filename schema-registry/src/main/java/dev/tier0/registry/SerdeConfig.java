package dev.tier0.registry;

import java.util.Map;

/** The serde-level keys (Confluent's names) on top of {@link RegistryConfig}'s connection keys. */
final class SerdeConfig {
  static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";

  private SerdeConfig() {}

  static boolean autoRegister(Map<String, ?> configs) {
    Object value = configs.get(AUTO_REGISTER_SCHEMAS);
    return value == null || Boolean.parseBoolean(value.toString().trim());
  }

  static String subject(String topic, boolean isKey) {
    return topic + (isKey ? "-key" : "-value");
  }
}
