package dev.tier0.streams.format;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tier0.streams.ingest.IngestValue;
import dev.tier0.streams.search.ErrorCode;
import dev.tier0.streams.search.RequestRejectedException;
import dev.tier0.streams.search.SearchLimits;
import dev.tier0.streams.search.SearchRequest;
import dev.tier0.streams.search.SearchRequestParser;
import java.util.Set;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** The formats that need no registry: string ingest values and string requests. */
class PlainFormatsTest {

  @Test
  void shouldTakeAStringIngestValueAsTextEvenWhenItLooksLikeJson() {
    IngestValue value = new StringIngestValueDeserializer().deserialize("t", "{\"text\":\"x\"}".getBytes(UTF_8));
    assertThat(value.value()).isEqualTo("{\"text\":\"x\"}");
    assertThat(new StringIngestValueDeserializer().deserialize("t", null)).isNull();
    assertThatThrownBy(() -> new StringIngestValueDeserializer().deserialize("t", new byte[] {(byte) 0xC3, 0x28}))
        .isInstanceOf(SerializationException.class).hasMessageContaining("not valid UTF-8");
  }

  @Test
  void shouldTurnAStringRequestIntoAQueryWithDefaults() {
    SearchRequestParser parser = new SearchRequestParser(new SearchLimits(5, 100, 8192, "default", Set.of()));
    SearchRequest request = parser.parse(new StringRequestDecoder().toJson("what about \"quotes\"?\n{}".getBytes(UTF_8)));
    assertThat(request.query()).isEqualTo("what about \"quotes\"?\n{}");
    assertThat(request.tenant()).isEqualTo("default");
    assertThat(request.topK()).isEqualTo(5);
    assertThatThrownBy(() -> new StringRequestDecoder().toJson(new byte[] {(byte) 0xFF}))
        .isInstanceOf(RequestRejectedException.class)
        .satisfies(e -> assertThat(((RequestRejectedException) e).code()).isEqualTo(ErrorCode.MALFORMED_REQUEST));
    assertThatThrownBy(() -> parser.parse(new StringRequestDecoder().toJson(new byte[0])))
        .isInstanceOf(RequestRejectedException.class).hasMessageContaining("empty request");
  }

  @Test
  void shouldParseFormatNamesAndNameTheChoicesOtherwise() {
    assertThat(TopicFormat.parse(" Avro ")).isEqualTo(TopicFormat.AVRO);
    assertThatThrownBy(() -> TopicFormat.parse("protobuf")).hasMessageContaining("json, string, avro");
  }

  @Test
  void shouldRefuseAnAvroFormatWithoutARegistry() {
    assertThatThrownBy(() -> WireFormats.of(TopicFormat.STRING, TopicFormat.AVRO, TopicFormat.JSON, TopicFormat.JSON, null,
        "r", true, 10)).hasMessageContaining("ingest format is avro but no Schema Registry");
    assertThatThrownBy(() -> WireFormats.of(TopicFormat.AVRO, TopicFormat.JSON, TopicFormat.JSON, TopicFormat.JSON, null,
        "r", true, 10)).hasMessageContaining("ingest key format is avro but no Schema Registry");
    assertThatThrownBy(() -> WireFormats.of(TopicFormat.STRING, TopicFormat.JSON, TopicFormat.JSON, TopicFormat.STRING,
        null, "r", true, 10))
        .hasMessageContaining("json or avro");
  }
}
