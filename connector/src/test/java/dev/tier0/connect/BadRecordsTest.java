package dev.tier0.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

class BadRecordsTest {
  private final SinkRecord record = new SinkRecord("notes", 0, null, "k", null, "", 5L);

  /** Records what the worker's reporter received (the worker's own is exercised by the integration test). */
  private static final class RecordingReporter implements ErrantRecordReporter {
    final List<Throwable> reported = new ArrayList<>();

    @Override
    public CompletableFuture<Void> report(SinkRecord record, Throwable error) {
      reported.add(error);
      return CompletableFuture.completedFuture(null);
    }
  }

  @Test
  void shouldSendTheReasonToTheDeadLetterQueueAndGoOnWhenToleratingAll() {
    RecordingReporter reporter = new RecordingReporter();
    new BadRecords(reporter, true).reject(record, "blank text: nothing to embed", null);
    assertThat(reporter.reported).hasSize(1);
    assertThat(reporter.reported.get(0))
        .isInstanceOf(RejectedRecordException.class)
        .hasMessage("blank text: nothing to embed");
  }

  @Test
  void shouldFailTheTaskWhenToleratingNoneEvenAfterReporting() {
    RecordingReporter reporter = new RecordingReporter();
    assertThatThrownBy(() -> new BadRecords(reporter, false).reject(record, "blank text", null))
        .isInstanceOf(ConnectException.class)
        .hasMessageContaining("notes-0@5")
        .hasMessageContaining("blank text");
    assertThat(reporter.reported).hasSize(1);
  }

  @Test
  void shouldFailTheTaskWithoutAReporterUnlessToleratingAll() {
    assertThatThrownBy(() -> new BadRecords(null, false).reject(record, "blank text", null))
        .isInstanceOf(ConnectException.class);
    new BadRecords(null, true).reject(record, "blank text", null); // logged, not thrown
  }
}
