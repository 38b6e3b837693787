package dev.tier0.streams.format;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tier0.registry.AvroMaps;
import dev.tier0.streams.search.SearchLimits;
import dev.tier0.streams.search.SearchRequest;
import dev.tier0.streams.search.SearchRequestParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/** search-request.avsc version 2 reads version-1 requests, and carries the typed filter and the new fields. */
class SearchRequestSchemaTest {
  private static final Schema V1 = new Schema.Parser().parse("""
      {"type": "record", "name": "SearchRequest", "namespace": "dev.tier0.search", "fields": [
        {"name": "query", "type": "string"},
        {"name": "tenant", "type": ["null", "string"], "default": null},
        {"name": "top_k", "type": ["null", "int"], "default": null},
        {"name": "filter", "type": ["null", {"type": "map", "values": "string"}], "default": null},
        {"name": "min_score", "type": ["null", "float"], "default": null}]}""");

  private static Schema v2() throws Exception {
    try (InputStream in = AvroReplyEncoder.class.getResourceAsStream("search-request.avsc")) {
      return new Schema.Parser().parse(in);
    }
  }

  @Test
  void version2ReadsVersion1AndBack() throws Exception {
    assertThat(SchemaCompatibility.checkReaderWriterCompatibility(v2(), V1).getType())
        .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
  }

  @Test
  void aTypedAvroRequestBecomesTheSameRequestAsItsJson() throws Exception {
    Map<String, Object> ops = new LinkedHashMap<>();
    ops.put("in", List.of("open", "blocked"));
    Map<String, Object> range = new LinkedHashMap<>();
    range.put("gte", 2L);
    Map<String, Object> filter = new LinkedHashMap<>();
    filter.put("priority", 1L);
    filter.put("done", false);
    filter.put("status", ops);
    filter.put("level", range);
    Map<String, Object> request = new LinkedHashMap<>();
    request.put("query", "q");
    request.put("mode", "keyword");
    request.put("recency_half_life", "7d");
    request.put("filter", filter);
    GenericRecord record = AvroMaps.toRecord(request, v2());
    // what AvroRequestDecoder hands the parser: the record as JSON, unset operators as nulls
    byte[] json = new ObjectMapper().writeValueAsBytes(AvroMaps.toPlain(record, v2()));
    SearchRequest parsed = new SearchRequestParser(SearchLimits.defaults()).parse(json);
    SearchRequest expected = new SearchRequestParser(SearchLimits.defaults()).parse(("{\"query\": \"q\","
        + " \"mode\": \"keyword\", \"recency_half_life\": \"7d\", \"filter\": {\"priority\": 1, \"done\": false,"
        + " \"status\": {\"in\": [\"open\", \"blocked\"]}, \"level\": {\"gte\": 2}}}").getBytes());
    assertThat(parsed).isEqualTo(expected);
  }
}
