package dev.tier0.streams;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A reply (or dead letter) that could not be delivered is logged, counted and dropped: one bad reply must not stop
 * the app, and the producer has already retried transient errors until delivery.timeout.ms. A failed write to an
 * internal topic (a changelog) fails the task instead, because a lost changelog write could lose pending records.
 */
public final class ReplyProductionHandler implements ProductionExceptionHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ReplyProductionHandler.class);
  private AppMetrics metrics = new AppMetrics();
  private String applicationId = "";

  @Override
  public void configure(Map<String, ?> configs) {
    if (configs.get(ReportingDeserializationHandler.METRICS_CONFIG) instanceof AppMetrics shared) {
      metrics = shared;
    }
    Object id = configs.get("application.id");
    applicationId = id == null ? "" : id.toString();
  }

  @Override
  public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record,
                              Exception exception) {
    if (isInternal(record.topic())) {
      return Response.fail();
    }
    metrics.replyUnroutable();
    LOG.error("dropping the record for {} produced from {}-{}@{}: {}", record.topic(), context.topic(),
        context.partition(), context.offset(), exception.toString());
    return Response.resume();
  }

  @Override
  public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record, Exception exception,
                                           SerializationExceptionOrigin origin) {
    if (isInternal(record.topic())) {
      return Response.fail();
    }
    metrics.replyUnroutable();
    LOG.error("dropping an unserialisable record for {}: {}", record.topic(), exception.toString());
    return Response.resume();
  }

  private boolean isInternal(String topic) {
    return !applicationId.isEmpty() && topic.startsWith(applicationId + "-");
  }
}
