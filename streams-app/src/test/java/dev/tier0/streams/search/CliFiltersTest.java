package dev.tier0.streams.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The search command's --filter/--after/--before become the request's filter, which the parser accepts. */
class CliFiltersTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void everyOperatorBecomesTheRequestGrammar() throws Exception {
    var filter = CliFilters.parse(List.of("kind=note", "priority:=1", "done:=false", "status:=[\"open\",\"blocked\"]",
        "score>=0.5", "score<2", "label:=\"1\""), "2026-11-01T00:00:00Z", "1764547200000");
    assertThat(JSON.writeValueAsString(filter)).isEqualTo("{\"kind\":\"note\",\"priority\":1,\"done\":false,"
        + "\"status\":{\"in\":[\"open\",\"blocked\"]},\"score\":{\"gte\":0.5,\"lt\":2},\"label\":\"1\","
        + "\"@timestamp\":{\"gte\":\"2026-11-01T00:00:00Z\",\"lt\":1764547200000}}");
    SearchRequest request = new SearchRequestParser(SearchLimits.defaults()).parse(
        SearchClient.Query.of("q").filter(filter).toJson());
    assertThat(request.filter().conditions()).hasSize(6); // the two score bounds are one range
    assertThat(request.filter().time()).isNotNull();
  }

  @Test
  void malformedConditionsSayWhatIsExpected() {
    assertThatThrownBy(() -> CliFilters.parse(List.of("nokey"), null, null)).hasMessageContaining("key=value");
    assertThatThrownBy(() -> CliFilters.parse(List.of("n:=abc"), null, null)).hasMessageContaining("not a JSON value");
    assertThatThrownBy(() -> CliFilters.parse(List.of("n>1", "n>2"), null, null)).hasMessageContaining("two 'gt'");
  }
}
