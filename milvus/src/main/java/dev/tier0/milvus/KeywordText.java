package dev.tier0.milvus;

import java.util.Locale;
import java.util.Set;
import java.util.StringJoiner;

/**
 * The keyword leg's query: the query text without English function words ("what", "do", "I", "the", ...). Milvus
 * Lite 3.2.2's analyzer accepts stop-word filters but ignores them, so on Lite every memory containing "the" or
 * "I" would be a BM25 hit, and in hybrid search such a hit ties the dense leg's best answer under RRF. Removing
 * them from the query (not from the stored text) gives the same ranking on both servers: a stored stop word can
 * only match a query stop word. Tokens are split as the standard analyzer splits them (runs of letters and
 * digits); when nothing is left, the text goes as it came.
 */
final class KeywordText {
    /** English function words: the NLTK list, the common ground of Lucene's and Snowball's. */
    static final Set<String> STOP_WORDS = Set.of(
            "i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "your", "yours", "yourself",
            "yourselves", "he", "him", "his", "himself", "she", "her", "hers", "herself", "it", "its", "itself",
            "they", "them", "their", "theirs", "themselves", "what", "which", "who", "whom", "this", "that", "these",
            "those", "am", "is", "are", "was", "were", "be", "been", "being", "have", "has", "had", "having", "do",
            "does", "did", "doing", "a", "an", "the", "and", "but", "if", "or", "because", "as", "until", "while",
            "of", "at", "by", "for", "with", "about", "against", "between", "into", "through", "during", "before",
            "after", "above", "below", "to", "from", "up", "down", "in", "out", "on", "off", "over", "under",
            "again", "further", "then", "once", "here", "there", "when", "where", "why", "how", "all", "any",
            "both", "each", "few", "more", "most", "other", "some", "such", "no", "nor", "not", "only", "own",
            "same", "so", "than", "too", "very", "s", "t", "can", "will", "just", "don", "should", "now", "d", "ll",
            "m", "o", "re", "ve", "y", "must", "would", "could", "shall", "may", "might");

    private KeywordText() {
    }

    static String of(String query) {
        StringJoiner kept = new StringJoiner(" ");
        for (String token : query.split("[^\\p{L}\\p{N}]+")) {
            if (!token.isEmpty() && !STOP_WORDS.contains(token.toLowerCase(Locale.ROOT))) {
                kept.add(token);
            }
        }
        return kept.length() == 0 ? query : kept.toString();
    }
}
