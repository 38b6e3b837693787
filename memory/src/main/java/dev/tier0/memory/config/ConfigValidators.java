package dev.tier0.memory.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * Validators for the shared keys. Each one's {@code toString()} says what is valid: Kafka prints it in the
 * generated docs as "Valid Values", and the message of a {@link ConfigException} repeats it.
 */
public final class ConfigValidators {
  private ConfigValidators() {}

  /** A dotted path into a JSON object or Struct: one or more non-empty segments ({@code text}, {@code payload.body}). */
  private static final Pattern FIELD_PATH = Pattern.compile("[^.\\s]+(\\.[^.\\s]+)*");

  /** A required field path. */
  public static ConfigDef.Validator fieldPath() {
    return new Described("a field path such as text or payload.body", false, value -> isFieldPath((String) value));
  }

  /** An optional field path: empty or unset means "not used". */
  public static ConfigDef.Validator optionalFieldPath() {
    return new Described("empty, or a field path such as tenant or meta.tenant", true,
        value -> ((String) value).isEmpty() || isFieldPath((String) value));
  }

  /** A list of names or field paths, possibly empty. */
  public static ConfigDef.Validator fieldPathList() {
    return new Described("a comma-separated list of field paths (may be empty)", true, value -> {
      for (Object item : (List<?>) value) {
        if (!isFieldPath(String.valueOf(item).trim())) {
          return false;
        }
      }
      return true;
    });
  }

  /** One of a fixed set of words, case-insensitive. */
  public static ConfigDef.Validator oneOf(String... allowed) {
    String described = "one of " + String.join(", ", allowed) + " (case-insensitive)";
    return new Described(described, false, value -> {
      for (String candidate : allowed) {
        if (candidate.equalsIgnoreCase(((String) value).trim())) {
          return true;
        }
      }
      return false;
    });
  }

  /** A string matching a regular expression; the description names the rule in words. */
  public static ConfigDef.Validator matching(Pattern pattern, String description) {
    return new Described(description + " (" + pattern.pattern() + ")", false,
        value -> pattern.matcher((String) value).matches());
  }

  /** Milvus endpoints: http(s):// or tcp:// with a host. */
  public static ConfigDef.Validator milvusUri() {
    return new Described("a Milvus endpoint such as http://localhost:19530 (http, https or tcp, with a host)", false,
        value -> {
          try {
            URI uri = new URI(((String) value).trim());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            return List.of("http", "https", "tcp").contains(scheme) && uri.getHost() != null;
          } catch (URISyntaxException e) {
            return false;
          }
        });
  }

  /** Empty/unset, or a non-blank filesystem path (existence is checked where the path is used). */
  public static ConfigDef.Validator optionalPath() {
    return new Described("empty, or a filesystem path", true, value -> !((String) value).isBlank());
  }

  private static boolean isFieldPath(String value) {
    return FIELD_PATH.matcher(value).matches();
  }

  /** A validator that carries its own description; {@code null} passes only for optional keys. */
  private record Described(String description, boolean nullable, java.util.function.Predicate<Object> valid)
      implements ConfigDef.Validator {
    @Override
    public void ensureValid(String name, Object value) {
      if (value == null) {
        if (nullable) {
          return;
        }
        throw new ConfigException(name, null, "must be " + description);
      }
      if (value instanceof String s && nullable && s.isEmpty()) {
        return;
      }
      if (!valid.test(value)) {
        throw new ConfigException(name, value, "must be " + description);
      }
    }

    @Override
    public String toString() {
      return description;
    }
  }
}
