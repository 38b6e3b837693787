package dev.tier0.milvus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Typed filters become Milvus expressions of escaped literals, and refuse what they cannot express. */
class TypedFilterExpressionsTest {

    private static String expr(MetadataFilter.Condition... conditions) {
        return FilterExpressions.tenantAnd("t", new MetadataFilter(List.of(conditions), null));
    }

    @Test
    void eachValueTypeIsWrittenAsItsLiteral() {
        assertThat(expr(new MetadataFilter.Equals("priority", 1))).isEqualTo("tenant == \"t\" and metadata[\"priority\"] == 1");
        assertThat(expr(new MetadataFilter.Equals("done", false))).endsWith("metadata[\"done\"] == false");
        assertThat(expr(new MetadataFilter.Equals("kind", "a\"b"))).endsWith("metadata[\"kind\"] == \"a\\\"b\"");
        assertThat(expr(new MetadataFilter.Equals("x", 0.25))).endsWith("metadata[\"x\"] == 0.25");
        assertThat(expr(new MetadataFilter.Equals("x", new BigDecimal("1e30")))).endsWith(
                "metadata[\"x\"] == 1000000000000000000000000000000.0");
        assertThat(expr(new MetadataFilter.Equals("x", new BigDecimal("2.50")))).endsWith("metadata[\"x\"] == 2.5");
    }

    @Test
    void inIsExpandedAndRangesAndTimeAreAnded() {
        assertThat(expr(new MetadataFilter.In("s", List.of("a", "b")))).endsWith(
                "(metadata[\"s\"] == \"a\" or metadata[\"s\"] == \"b\")");
        assertThat(expr(new MetadataFilter.Range("n", null, BigDecimal.ONE, new BigDecimal("5"), null))).endsWith(
                "(metadata[\"n\"] >= 1 and metadata[\"n\"] < 5)");
        assertThat(FilterExpressions.tenantAnd("t", new MetadataFilter(List.of(),
                new MetadataFilter.TimeRange(null, 10L, 20L, null))))
                .isEqualTo("tenant == \"t\" and source_timestamp >= 10 and source_timestamp < 20");
    }

    @Test
    void refusesWhatItCannotExpress() {
        assertThatThrownBy(() -> new MetadataFilter.In("s", List.of("a", 1))).isInstanceOf(InvalidFilterException.class)
                .hasMessageContaining("mixes string and number");
        assertThatThrownBy(() -> new MetadataFilter.In("s", Collections.nCopies(65, "a")))
                .hasMessageContaining("over the limit of 64");
        assertThatThrownBy(() -> new MetadataFilter.In("s", List.of())).hasMessageContaining("at least one");
        assertThatThrownBy(() -> new MetadataFilter.Equals("x", Double.NaN)).hasMessageContaining("finite");
        assertThatThrownBy(() -> new MetadataFilter.Equals("x", List.of(1))).hasMessageContaining("string, number or boolean");
        assertThatThrownBy(() -> new MetadataFilter.Equals("a\"]", 1)).hasMessageContaining("filter key must match");
        assertThatThrownBy(() -> new MetadataFilter.Range("n", null, null, null, null)).hasMessageContaining("no bound");
        List<MetadataFilter.Condition> many = new ArrayList<>();
        for (int i = 0; i < 17; i++) {
            many.add(new MetadataFilter.Equals("k" + i, i));
        }
        assertThatThrownBy(() -> new MetadataFilter(many, null)).hasMessageContaining("over the limit of 16");
    }

    @Test
    void keywordQueriesLoseOnlyFunctionWords() {
        assertThat(KeywordText.of("what happened with error E6744?")).isEqualTo("happened error E6744");
        assertThat(KeywordText.of("where did ORD-43069 ship to")).isEqualTo("ORD 43069 ship");
        assertThat(KeywordText.of("what is it")).isEqualTo("what is it"); // nothing left: sent as it came
    }
}
