package dev.tier0.milvus;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Builds Milvus boolean expressions from a tenant and metadata equality conditions. Keys must match a strict
 * pattern and become JSON-path keys; values only ever appear inside escaped double-quoted string literals, so
 * no user text can change the expression's structure. (Filter templates would be cleaner on Milvus 2.5+, but
 * Milvus Lite does not parse them; this escaping is accepted by both grammars.)
 */
final class FilterExpressions {
    static final Pattern KEY_PATTERN = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");

    private FilterExpressions() {
    }

    static String tenantAndMetadata(String tenant, Map<String, String> filter) {
        if (tenant == null) {
            throw new InvalidFilterException("a search needs a tenant (use \"\" for the default tenant)");
        }
        StringBuilder expr = new StringBuilder(CollectionSpec.TENANT).append(" == ").append(quote(tenant));
        if (filter != null) {
            // sorted so equal filters give equal expressions (and the server's expression cache can help)
            for (Map.Entry<String, String> e : new TreeMap<>(filter).entrySet()) {
                String key = e.getKey();
                if (key == null || !KEY_PATTERN.matcher(key).matches()) {
                    throw new InvalidFilterException("filter key must match " + KEY_PATTERN.pattern() + ": "
                            + abbreviate(key));
                }
                if (e.getValue() == null) {
                    throw new InvalidFilterException("filter value for '" + key + "' is null");
                }
                expr.append(" and ").append(CollectionSpec.METADATA).append("[\"").append(key).append("\"] == ")
                        .append(quote(e.getValue()));
            }
        }
        return expr.toString();
    }

    /**
     * A double-quoted literal using only escapes that both Milvus (Go strconv rules: no \' inside "...")
     * and Milvus Lite understand; every other character, quotes of the other kind included, stays raw.
     */
    static String quote(String value) {
        StringBuilder sb = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    static String idIn(java.util.Collection<String> ids) {
        StringBuilder sb = new StringBuilder(CollectionSpec.ID).append(" in [");
        boolean first = true;
        for (String id : ids) {
            if (!first) {
                sb.append(", ");
            }
            sb.append(quote(id));
            first = false;
        }
        return sb.append(']').toString();
    }

    /** {@code memory_id in [...]}: every row of these memories. */
    static String memoryIdIn(java.util.Collection<String> memoryIds) {
        return idIn(memoryIds).replaceFirst("^" + CollectionSpec.ID + " in", CollectionSpec.MEMORY_ID + " in");
    }

    /**
     * Rows of each memory from its chunk count on (stale chunks of a longer earlier version):
     * {@code (memory_id in [...] and chunk_index >= n) or ...}, one term per distinct count.
     */
    static String chunksFrom(Map<String, Integer> chunkCounts) {
        Map<Integer, java.util.List<String>> byCount = new TreeMap<>();
        chunkCounts.forEach((id, n) -> byCount.computeIfAbsent(n, k -> new java.util.ArrayList<>()).add(id));
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<Integer, java.util.List<String>> e : byCount.entrySet()) {
            if (sb.length() > 0) {
                sb.append(" or ");
            }
            sb.append('(').append(memoryIdIn(e.getValue())).append(" and ").append(CollectionSpec.CHUNK_INDEX)
                    .append(" >= ").append(e.getKey()).append(')');
        }
        return sb.toString();
    }

    private static String abbreviate(String s) {
        return s == null || s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
