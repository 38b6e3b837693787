package dev.tier0.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler.Result;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

class ReplyProductionHandlerTest {
  private final AppMetrics metrics = new AppMetrics();
  private final ReplyProductionHandler handler = new ReplyProductionHandler();

  ReplyProductionHandlerTest() {
    handler.configure(Map.of("application.id", "tier0-app", ReportingDeserializationHandler.METRICS_CONFIG, metrics));
  }

  private static ErrorHandlerContext context() {
    return new ErrorHandlerContext() {
      @Override public String topic() { return "requests"; }
      @Override public int partition() { return 0; }
      @Override public long offset() { return 7; }
      @Override public org.apache.kafka.common.header.Headers headers() { return new RecordHeaders(); }
      @Override public String processorNodeId() { return "search"; }
      @Override public TaskId taskId() { return new TaskId(1, 0); }
      @Override public long timestamp() { return 0; }
      @Override public byte[] sourceRawKey() { return null; }
      @Override public byte[] sourceRawValue() { return null; }
    };
  }

  @Test
  void shouldDropAnUndeliverableReplyAndCountItSoTheAppKeepsAnswering() {
    ProducerRecord<byte[], byte[]> reply = new ProducerRecord<>("client.replies", new byte[1]);
    assertThat(handler.handleError(context(), reply, new RecordTooLargeException("too big")).result())
        .isEqualTo(Result.RESUME);
    assertThat(handler.handleError(context(), reply, new TimeoutException("gone")).result())
        .isEqualTo(Result.RESUME);
    assertThat(metrics.snapshot().get("replies_unroutable")).isEqualTo(2L);
  }

  @Test
  void shouldFailWhenAChangelogWriteIsLostBecausePendingRecordsDependOnIt() {
    ProducerRecord<byte[], byte[]> changelog =
        new ProducerRecord<>("tier0-app-tier0-ingest-pending-changelog", new byte[1]);
    assertThat(handler.handleError(context(), changelog, new TimeoutException("gone")).result())
        .isEqualTo(Result.FAIL);
  }
}
