package dev.tier0.memory;

import java.util.Map;
import java.util.Objects;

/** What one record becomes: a text to embed, under a deterministic id, in a tenant, with metadata. */
public record Memory(String id, String tenant, String text, Map<String, Object> metadata) {
  public Memory {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(text, "text");
    metadata = metadata == null ? Map.of() : metadata;
  }
}
