package dev.tier0.streams;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Whether a reply topic exists, asked of the cluster once and remembered: a producer send to a missing topic
 * would block the stream thread for max.block.ms. Absent topics are asked again after a short while, so a topic
 * created by a client shortly after its first request is found.
 */
public final class KnownTopics implements Predicate<String> {
  private static final long ABSENT_RECHECK_MS = 5_000;
  private final Admin admin;
  private final Duration timeout;
  private final Set<String> present = ConcurrentHashMap.newKeySet();
  private final Map<String, Long> absentSince = new ConcurrentHashMap<>();

  public KnownTopics(Admin admin, Duration timeout) {
    this.admin = admin;
    this.timeout = timeout;
  }

  @Override
  public boolean test(String topic) {
    if (present.contains(topic)) {
      return true;
    }
    Long absent = absentSince.get(topic);
    long now = System.currentTimeMillis();
    if (absent != null && now - absent < ABSENT_RECHECK_MS) {
      return false;
    }
    boolean exists = describe(topic);
    if (exists) {
      present.add(topic);
      absentSince.remove(topic);
    } else {
      absentSince.put(topic, now);
    }
    return exists;
  }

  private boolean describe(String topic) {
    try {
      admin.describeTopics(List.of(topic)).allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return false;
      }
      // Can't tell (broker busy, not authorised to describe): try the send rather than refuse the reply.
      return true;
    } catch (TimeoutException e) {
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }
}
