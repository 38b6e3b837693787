package dev.tier0.streams;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;

/**
 * The default deserialization handler: Kafka's log-and-continue (which also writes the record to
 * {@code errors.dead.letter.queue.topic.name} when set), plus a count in {@link AppMetrics}.
 */
public final class ReportingDeserializationHandler extends LogAndContinueExceptionHandler {
  /** Config key under which the app passes its {@link AppMetrics} instance to the handlers. */
  public static final String METRICS_CONFIG = "tier0.metrics.instance";

  private AppMetrics metrics = new AppMetrics();

  @Override
  public void configure(Map<String, ?> configs) {
    super.configure(configs);
    if (configs.get(METRICS_CONFIG) instanceof AppMetrics shared) {
      metrics = shared;
    }
  }

  @Override
  public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
                              Exception exception) {
    metrics.recordUndecodable();
    return super.handleError(context, record, exception);
  }
}
