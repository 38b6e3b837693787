package dev.tier0.milvus;

import java.util.Locale;

/**
 * How a search finds memories: {@code DENSE} by the query's embedding (cosine), {@code KEYWORD} by BM25 over the
 * analyzed {@code text} field (Milvus generates the sparse vector from the text), {@code HYBRID} both, fused.
 */
public enum SearchMode {
    DENSE, KEYWORD, HYBRID;

    /** The wire name: {@code dense}, {@code keyword}, {@code hybrid}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The mode of a wire name (case-insensitive); {@link IllegalArgumentException} naming the choices otherwise. */
    public static SearchMode of(String wireName) {
        for (SearchMode m : values()) {
            if (m.wireName().equalsIgnoreCase(wireName)) {
                return m;
            }
        }
        throw new IllegalArgumentException("mode must be one of dense, keyword, hybrid; got '" + wireName + "'");
    }
}
