package dev.tier0.streams.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tier0.milvus.MetadataFilter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class SearchRequestParserTest {
  private final SearchRequestParser parser = new SearchRequestParser(SearchLimits.defaults());

  private static byte[] json(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void shouldApplyDefaultsWhenOnlyTheQueryIsGiven() {
    SearchRequest request = parser.parse(json("{\"query\": \"where did I park\"}"));
    assertThat(request).isEqualTo(new SearchRequest("where did I park", "default", 5, Map.of(), null));
  }

  @Test
  void shouldReadEveryField() {
    SearchRequest request = parser.parse(json(
        "{\"query\":\"q\",\"tenant\":\"acme\",\"top_k\":7,\"filter\":{\"kind\":\"note\"},\"min_score\":0.25}"));
    assertThat(request).isEqualTo(new SearchRequest("q", "acme", 7, Map.of("kind", "note"), 0.25f));
  }

  @Test
  void shouldTreatExplicitNullsAsAbsent() {
    SearchRequest request = parser.parse(json(
        "{\"query\":\"q\",\"tenant\":null,\"top_k\":null,\"filter\":null,\"min_score\":null}"));
    assertThat(request).isEqualTo(new SearchRequest("q", "default", 5, Map.of(), null));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      not json at all                                  | MALFORMED_REQUEST
      [1, 2]                                           | MALFORMED_REQUEST
      "just a string"                                  | MALFORMED_REQUEST
      {"query": "a"} trailing                          | MALFORMED_REQUEST
      {"query": "a", "query": "b"}                     | MALFORMED_REQUEST
      {}                                               | MISSING_QUERY
      {"query": null}                                  | MISSING_QUERY
      {"query": "   "}                                 | MISSING_QUERY
      {"query": 42}                                    | INVALID_QUERY
      {"query": "a", "top_k": 0}                       | BAD_TOP_K
      {"query": "a", "top_k": -3}                      | BAD_TOP_K
      {"query": "a", "top_k": 101}                     | BAD_TOP_K
      {"query": "a", "top_k": 2.5}                     | BAD_TOP_K
      {"query": "a", "top_k": "5"}                     | BAD_TOP_K
      {"query": "a", "top_k": 99999999999}             | BAD_TOP_K
      {"query": "a", "min_score": 1.5}                 | BAD_MIN_SCORE
      {"query": "a", "min_score": "high"}              | BAD_MIN_SCORE
      {"query": "a", "tenant": "a b"}                  | BAD_TENANT
      {"query": "a", "tenant": 7}                      | BAD_TENANT
      {"query": "a", "tenant": "x' or tenant != '"}    | BAD_TENANT
      {"query": "a", "filter": "kind == 'x'"}          | BAD_FILTER
      {"query": "a", "filter": {"kind": ["a"]}}        | BAD_FILTER
      {"query": "a", "filter": {"kind": null}}         | BAD_FILTER
      {"query": "a", "filter": {"kind": {"like": "a"}}} | BAD_FILTER
      {"query": "a", "filter": {"n": {"in": [1, "1"]}}} | BAD_FILTER
      {"query": "a", "filter": {"n": {"gt": "5"}}}     | BAD_FILTER
      {"query": "a", "filter": {"n": {"in": []}}}      | BAD_FILTER
      {"query": "a", "filter": {"n": {"in": [[1]]}}}   | BAD_FILTER
      {"query": "a", "filter": {"n": {}}}              | BAD_FILTER
      {"query": "a", "filter": {"n": 1e400}}           | BAD_FILTER
      {"query": "a", "filter": {"@timestamp": {"eq": 1}}} | BAD_FILTER
      {"query": "a", "filter": {"@timestamp": {"gte": "yesterday"}}} | BAD_FILTER
      {"query": "a", "filter": {"@timestamp": {"gte": 1.5}}} | BAD_FILTER
      {"query": "a", "filter": {"@other": 1}}          | UNKNOWN_FILTER_KEY
      {"query": "a", "mode": "fuzzy"}                  | BAD_MODE
      {"query": "a", "mode": 1}                        | BAD_MODE
      {"query": "a", "fusion": "max"}                  | BAD_FUSION
      {"query": "a", "fusion": "weighted", "dense_weight": 2} | BAD_FUSION
      {"query": "a", "dense_weight": 0.5}              | BAD_FUSION
      {"query": "a", "recency_half_life": "soon"}      | BAD_RECENCY
      {"query": "a", "recency_half_life": 7}           | BAD_RECENCY
      {"query": "a", "recency_half_life": "0d"}        | BAD_RECENCY
      {"query": "a", "mode": "hybrid", "min_score": 0.5} | BAD_MIN_SCORE
      {"query": "a", "filter": {"a.b": "x"}}           | UNKNOWN_FILTER_KEY
      {"query": "a", "filter": {"x\\" or 1==1": "x"}}  | UNKNOWN_FILTER_KEY
      {"query": "a", "topk": 3}                        | UNKNOWN_FIELD
      """)
  void shouldRejectWithTheCodeThatSaysWhatIsWrong(String body, ErrorCode code) {
    assertThatThrownBy(() -> parser.parse(json(body)))
        .isInstanceOfSatisfying(RequestRejectedException.class, e -> assertThat(e.code()).isEqualTo(code))
        .hasMessageNotContaining("Exception");
  }

  @Test
  void shouldRejectEmptyAndNonUtf8Values() {
    assertThatThrownBy(() -> parser.parse(new byte[0]))
        .isInstanceOfSatisfying(RequestRejectedException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_REQUEST));
    assertThatThrownBy(() -> parser.parse(null))
        .isInstanceOfSatisfying(RequestRejectedException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_REQUEST));
    byte[] invalid = {'{', '"', 'q', 'u', 'e', 'r', 'y', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
    assertThatThrownBy(() -> parser.parse(invalid))
        .isInstanceOfSatisfying(RequestRejectedException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_REQUEST));
  }

  @Test
  void shouldBoundTopKByTheConfiguredMaximum() {
    SearchRequestParser strict = new SearchRequestParser(new SearchLimits(3, 10, 100, "default", Set.of()));
    assertThat(strict.parse(json("{\"query\":\"q\",\"top_k\":10}")).topK()).isEqualTo(10);
    assertThat(strict.parse(json("{\"query\":\"q\"}")).topK()).isEqualTo(3);
    assertThatThrownBy(() -> strict.parse(json("{\"query\":\"q\",\"top_k\":11}")))
        .hasMessageContaining("[1, 10]");
  }

  @Test
  void shouldRefuseQueriesOverTheByteCapInsteadOfTruncatingThem() {
    SearchRequestParser strict = new SearchRequestParser(new SearchLimits(5, 10, 8, "default", Set.of()));
    assertThat(strict.parse(json("{\"query\":\"12345678\"}")).query()).isEqualTo("12345678");
    // 3 x U+00E9 = 6 bytes, 3 chars: the cap counts bytes.
    assertThatThrownBy(() -> strict.parse(json("{\"query\":\"\u00e9\u00e9\u00e9\u00e9\u00e9\"}")))
        .isInstanceOfSatisfying(RequestRejectedException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_QUERY));
  }

  @Test
  void shouldOnlyAcceptConfiguredFilterKeysWhenTheyAreListed() {
    SearchRequestParser strict = new SearchRequestParser(new SearchLimits(5, 10, 100, "default", Set.of("kind")));
    assertThat(strict.parse(json("{\"query\":\"q\",\"filter\":{\"kind\":\"note\"}}")).filter())
        .isEqualTo(MetadataFilter.ofStrings(Map.of("kind", "note")));
    assertThatThrownBy(() -> strict.parse(json("{\"query\":\"q\",\"filter\":{\"author\":\"me\"}}")))
        .isInstanceOfSatisfying(RequestRejectedException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_FILTER_KEY))
        .hasMessageContaining("author").hasMessageContaining("[kind]");
  }

  @Test
  void shouldLeaveTheFusionToTheDefaultAndGiveWeightedItsDefaultWeight() {
    assertThat(parser.parse(json("{\"query\": \"q\"}")).fusion()).isNull();
    assertThat(new dev.tier0.milvus.SearchOptions("q", null, null, null, null).fusion())
        .isEqualTo(dev.tier0.milvus.Fusion.weighted(0.7f));
    assertThat(parser.parse(json("{\"query\": \"q\", \"fusion\": \"weighted\"}")).fusion())
        .isEqualTo(dev.tier0.milvus.Fusion.weighted(0.7f));
    assertThat(parser.parse(json("{\"query\": \"q\", \"fusion\": \"rrf\"}")).fusion())
        .isEqualTo(dev.tier0.milvus.Fusion.rrf());
  }

  @Test
  void shouldReadTheIssuesTypedFiltersAndTheSearchOptions() {
    SearchRequest request = parser.parse(json("""
        {"query": "q", "mode": "HYBRID", "fusion": "weighted", "dense_weight": 0.7, "recency_half_life": "7d",
         "filter": {"priority": 1, "done": false, "kind": "note", "status": {"in": ["open", "blocked"]},
                    "score": {"gte": 0.5, "lt": 2}, "owner": {"eq": "ana", "in": null},
                    "@timestamp": {"gte": "2026-11-01T00:00:00Z", "lt": 1764547200000}}}"""));
    assertThat(request.mode()).isEqualTo(dev.tier0.milvus.SearchMode.HYBRID);
    assertThat(request.fusion()).isEqualTo(dev.tier0.milvus.Fusion.weighted(0.7f));
    assertThat(request.recencyHalfLife()).isEqualTo(java.time.Duration.ofDays(7));
    assertThat(request.filter().conditions()).containsExactly(
        new MetadataFilter.Equals("priority", java.math.BigDecimal.ONE),
        new MetadataFilter.Equals("done", false),
        new MetadataFilter.Equals("kind", "note"),
        new MetadataFilter.In("status", java.util.List.of("open", "blocked")),
        new MetadataFilter.Range("score", null, new java.math.BigDecimal("0.5"), new java.math.BigDecimal("2"), null),
        new MetadataFilter.Equals("owner", "ana"));
    assertThat(request.filter().time()).isEqualTo(
        new MetadataFilter.TimeRange(null, 1_793_491_200_000L, 1_764_547_200_000L, null));
  }

  @Test
  void shouldNameTheReasonOfABadFilter() {
    assertThatThrownBy(() -> parser.parse(json("{\"query\":\"q\",\"filter\":{\"n\":{\"in\":[1,\"1\"]}}}")))
        .hasMessageContaining("mixes number and string");
    assertThatThrownBy(() -> parser.parse(json("{\"query\":\"q\",\"filter\":{\"n\":{\"between\":[1,2]}}}")))
        .hasMessageContaining("unknown operator 'between'").hasMessageContaining("eq, gt, gte, in, lt, lte");
    StringBuilder many = new StringBuilder("[");
    for (int i = 0; i <= MetadataFilter.MAX_IN_VALUES; i++) {
      many.append(i == 0 ? "" : ",").append(i);
    }
    assertThatThrownBy(() -> parser.parse(json("{\"query\":\"q\",\"filter\":{\"n\":{\"in\":" + many + "]}}}")))
        .hasMessageContaining("65 values, over the limit of 64");
  }
}
