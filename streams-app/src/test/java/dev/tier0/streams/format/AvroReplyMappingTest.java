package dev.tier0.streams.format;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tier0.registry.AvroBinary;
import dev.tier0.streams.search.ErrorCode;
import dev.tier0.streams.search.SearchHit;
import dev.tier0.streams.search.SearchReply;
import dev.tier0.streams.search.SearchReplyCodec;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/**
 * The JSON replies the app writes, as search-reply.avsc records: every field carried over, through Avro's binary
 * encoding. Catches a reply field changed without the schema at build time.
 */
class AvroReplyMappingTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void shouldCarryEveryFieldOfAHitsReply() throws Exception {
    Map<String, Object> metadata = Map.of("lang", "de", "tags", List.of("a", "b"), "n", 3);
    SearchReply hits = new SearchReply.Hits("Y29ycg==", "all-minilm-l6-v2",
        List.of(new SearchHit("m-1", 0.8125f, "Grüße 👋", metadata), new SearchHit("m-2", -0.25f, "two", Map.of())),
        new SearchReply.Timings(4.125, 2.5));

    GenericRecord record = roundTrip(AvroReplyEncoder.toRecord(SearchReplyCodec.encode(hits)));

    assertThat(record.get("correlation_id").toString()).isEqualTo("Y29ycg==");
    assertThat(record.get("model").toString()).isEqualTo("all-minilm-l6-v2");
    assertThat(record.get("error")).isNull();
    @SuppressWarnings("unchecked")
    List<GenericRecord> list = (List<GenericRecord>) record.get("hits");
    assertThat(list).hasSize(2);
    assertThat(list.get(0).get("id").toString()).isEqualTo("m-1");
    assertThat(list.get(0).get("score")).isEqualTo(0.8125f);
    assertThat(list.get(0).get("text").toString()).isEqualTo("Grüße 👋");
    assertThat(JSON.readValue(list.get(0).get("metadata").toString(), Map.class)).isEqualTo(metadata);
    assertThat(list.get(1).get("metadata").toString()).isEqualTo("{}");
    GenericRecord timings = (GenericRecord) record.get("timings");
    assertThat(timings.get("embed_ms")).isEqualTo(4.125);
    assertThat(timings.get("search_ms")).isEqualTo(2.5);
  }

  @Test
  void shouldCarryAnErrorReplyAndANullCorrelationId() {
    SearchReply failure = new SearchReply.Failure(null, ErrorCode.SCHEMA_REGISTRY_UNAVAILABLE, "registry down");

    GenericRecord record = roundTrip(AvroReplyEncoder.toRecord(SearchReplyCodec.encode(failure)));

    assertThat(record.get("correlation_id")).isNull();
    assertThat(record.get("hits")).isNull();
    GenericRecord error = (GenericRecord) record.get("error");
    assertThat(error.get("code").toString()).isEqualTo("SCHEMA_REGISTRY_UNAVAILABLE");
    assertThat(error.get("message").toString()).isEqualTo("registry down");
    assertThat(error.get("retriable")).isEqualTo(true);
  }

  @Test
  void shouldAnswerInternalErrorWhenAReplyNoLongerFitsTheSchema() {
    byte[] drifted = "{\"correlation_id\":\"c1\",\"hits\":[{\"id\":\"m\",\"score\":\"high\",\"text\":\"t\",\"metadata\":{}}]}"
        .getBytes(UTF_8);

    GenericRecord record = roundTrip(AvroReplyEncoder.toRecord(drifted));

    assertThat(record.get("correlation_id").toString()).isEqualTo("c1");
    GenericRecord error = (GenericRecord) record.get("error");
    assertThat(error.get("code").toString()).isEqualTo("INTERNAL_ERROR");
    assertThat(error.get("message").toString()).contains("hits[0].score");
  }

  private static GenericRecord roundTrip(GenericRecord record) {
    byte[] bytes = AvroBinary.encode(record, AvroReplyEncoder.SCHEMA);
    return (GenericRecord) AvroBinary.decode(AvroReplyEncoder.SCHEMA, bytes, 0, bytes.length);
  }
}
