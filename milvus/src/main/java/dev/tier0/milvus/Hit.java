package dev.tier0.milvus;

import java.util.Map;

/** One search result; score is the cosine similarity (higher is closer). */
public record Hit(String id, float score, String text, Map<String, Object> metadata) {
}
