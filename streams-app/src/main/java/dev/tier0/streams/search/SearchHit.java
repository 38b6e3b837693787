package dev.tier0.streams.search;

import java.util.Map;

/** One hit in a reply; score is the cosine similarity (higher is closer). */
public record SearchHit(String id, float score, String text, Map<String, Object> metadata) {
  public SearchHit {
    metadata = metadata == null ? Map.of() : metadata;
  }
}
