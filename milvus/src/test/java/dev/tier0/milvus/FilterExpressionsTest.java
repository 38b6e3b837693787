package dev.tier0.milvus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FilterExpressionsTest {

    @Test
    void tenantIsAlwaysTheFirstCondition() {
        assertThat(FilterExpressions.tenantAndMetadata("acme", null)).isEqualTo("tenant == \"acme\"");
        assertThat(FilterExpressions.tenantAndMetadata("", Map.of())).isEqualTo("tenant == \"\"");
    }

    @Test
    void metadataConditionsAreSortedAndQuoted() {
        Map<String, String> filter = new LinkedHashMap<>();
        filter.put("lang", "en");
        filter.put("kind", "a\"b");
        assertThat(FilterExpressions.tenantAndMetadata("t", filter))
                .isEqualTo("tenant == \"t\" and metadata[\"kind\"] == \"a\\\"b\" and metadata[\"lang\"] == \"en\"");
    }

    @Test
    void injectionAttemptStaysInsideTheLiteral() {
        String attack = "x\" or tenant != \"x";
        String expr = FilterExpressions.tenantAndMetadata(attack, null);
        assertThat(expr).isEqualTo("tenant == \"x\\\" or tenant != \\\"x\"");
        assertThat(decodeLiteral(expr.substring("tenant == ".length()))).isEqualTo(attack);
    }

    @Test
    void quotedLiteralsRoundTripForArbitraryText() {
        Random random = new Random(42);
        String alphabet = "ab\"'\\\n\r\t ()[]=!<>&|$%{}~`é中😀\u0000\u0001\u007f";
        for (int n = 0; n < 2_000; n++) {
            StringBuilder sb = new StringBuilder();
            int length = random.nextInt(40);
            for (int i = 0; i < length; i++) {
                sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String value = sb.toString();
            assertThat(decodeLiteral(FilterExpressions.quote(value))).isEqualTo(value);
        }
    }

    @Test
    void keysMustMatchTheStrictPattern() {
        for (String bad : List.of("", "a b", "a\"]", "x.y", "1abc", "k'", "a".repeat(65), "ключ")) {
            assertThatThrownBy(() -> FilterExpressions.tenantAndMetadata("t", Map.of(bad, "v")))
                    .as(bad).isInstanceOf(InvalidFilterException.class);
        }
        assertThat(FilterExpressions.tenantAndMetadata("t", Map.of("A_b9", "v"))).contains("metadata[\"A_b9\"]");
    }

    @Test
    void nullTenantAndNullValuesAreRejected() {
        assertThatThrownBy(() -> FilterExpressions.tenantAndMetadata(null, null))
                .isInstanceOf(InvalidFilterException.class);
        Map<String, String> filter = new LinkedHashMap<>();
        filter.put("k", null);
        assertThatThrownBy(() -> FilterExpressions.tenantAndMetadata("t", filter))
                .isInstanceOf(InvalidFilterException.class);
    }

    @Test
    void idListQuotesEveryId() {
        assertThat(FilterExpressions.idIn(List.of("a", "b\"c"))).isEqualTo("id in [\"a\", \"b\\\"c\"]");
    }

    /**
     * An independent reader of a double-quoted literal with the escapes Milvus (Go strconv) and Milvus Lite share:
     * it must consume the whole input, which proves no quote inside the value ended the literal early.
     */
    private static String decodeLiteral(String literal) {
        assertThat(literal).startsWith("\"");
        StringBuilder out = new StringBuilder();
        int i = 1;
        while (true) {
            assertThat(i).as("unterminated literal %s", literal).isLessThan(literal.length());
            char c = literal.charAt(i);
            if (c == '"') {
                assertThat(i).as("literal ends early: %s", literal).isEqualTo(literal.length() - 1);
                return out.toString();
            }
            assertThat(c).as("raw newline").isNotIn('\n', '\r');
            if (c == '\\') {
                char e = literal.charAt(i + 1);
                out.append(switch (e) {
                    case '"' -> '"';
                    case '\\' -> '\\';
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    case 't' -> '\t';
                    default -> throw new AssertionError("escape not shared by both grammars: \\" + e);
                });
                i += 2;
            } else {
                out.append(c);
                i++;
            }
        }
    }
}
