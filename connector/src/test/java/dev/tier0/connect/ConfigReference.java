package dev.tier0.connect;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.types.Password;

/**
 * Renders a {@link ConfigDef} as the Markdown reference in docs/connector-config.md, group by group in the
 * order the keys were defined: documentation that cannot drift from the code.
 */
final class ConfigReference {
  private ConfigReference() {}

  static String markdown(ConfigDef def, String title, String intro) {
    StringBuilder out = new StringBuilder();
    out.append("# ").append(title).append("\n\n").append(intro).append("\n");
    for (Map.Entry<String, List<ConfigDef.ConfigKey>> group : byGroup(def).entrySet()) {
      out.append("\n## ").append(group.getKey()).append("\n\n");
      out.append("| Key | Type | Default | Valid values | Importance | Description |\n");
      out.append("|---|---|---|---|---|---|\n");
      for (ConfigDef.ConfigKey key : group.getValue()) {
        out.append("| `").append(key.name).append("` | ")
            .append(key.type.name().toLowerCase(Locale.ROOT)).append(" | ")
            .append(cell(defaultValue(key))).append(" | ")
            .append(cell(key.validator == null ? "" : key.validator.toString())).append(" | ")
            .append(key.importance.name().toLowerCase(Locale.ROOT)).append(" | ")
            .append(cell(key.documentation)).append(" |\n");
      }
    }
    return out.toString();
  }

  private static Map<String, List<ConfigDef.ConfigKey>> byGroup(ConfigDef def) {
    Map<String, List<ConfigDef.ConfigKey>> groups = new LinkedHashMap<>();
    def.groups().forEach(g -> groups.put(g, new ArrayList<>()));
    for (ConfigDef.ConfigKey key : def.configKeys().values()) {
      groups.computeIfAbsent(key.group == null ? "Other" : key.group, g -> new ArrayList<>()).add(key);
    }
    groups.values().forEach(keys -> keys.sort((a, b) -> Integer.compare(a.orderInGroup, b.orderInGroup)));
    return groups;
  }

  private static String defaultValue(ConfigDef.ConfigKey key) {
    if (!key.hasDefault()) {
      return "(required)";
    }
    Object value = key.defaultValue;
    if (value == null || value instanceof Password) {
      return "(none)";
    }
    String text = ConfigDef.convertToString(value, key.type);
    return text.isEmpty() ? "\"\"" : "`" + text + "`";
  }

  private static String cell(String text) {
    return text.replace("|", "\\|").replace("\n", " ");
  }
}
