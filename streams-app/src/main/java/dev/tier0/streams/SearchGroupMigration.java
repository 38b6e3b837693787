package dev.tier0.streams;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries the search side's position over when search moves to its own application id (issue 15: before, the
 * search sub-topology ran in the app's one group, {@code application.id}; now in {@code <application.id>-search}).
 * A new group has no committed offsets, and Kafka Streams would start it at the earliest request still on the
 * topic, answering every old request again. So, once, before the search streams start: when the search group has
 * no offset on the request topic and the app's group has some, the search group gets those.
 */
final class SearchGroupMigration {
  private static final Logger LOG = LoggerFactory.getLogger(SearchGroupMigration.class);

  private SearchGroupMigration() {}

  /**
   * @param admin        a client of the cluster
   * @param oldGroup     the group that consumed the request topic before ({@code application.id})
   * @param searchGroup  the search instance's group ({@code <application.id>-search})
   * @param requestTopic the search request topic
   * @param timeout      for each admin call
   * @return the offsets copied into {@code searchGroup}; empty when there was nothing to copy, the search group had
   *     offsets already, or another instance started the group first (it copied them)
   * @throws IllegalStateException when the cluster cannot be asked within the timeout
   */
  static Map<TopicPartition, OffsetAndMetadata> carryOver(Admin admin, String oldGroup, String searchGroup,
                                                          String requestTopic, Duration timeout) {
    try {
      if (!onTopic(committed(admin, searchGroup, timeout), requestTopic).isEmpty()) {
        return Map.of();
      }
      Map<TopicPartition, OffsetAndMetadata> old = onTopic(committed(admin, oldGroup, timeout), requestTopic);
      if (old.isEmpty()) {
        return Map.of();
      }
      try {
        admin.alterConsumerGroupOffsets(searchGroup, old).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        // the group has members: another instance of this version started it, after copying the same offsets
        LOG.info("search group {} already active, not copying offsets from {}: {}", searchGroup, oldGroup,
            e.getCause().getMessage());
        return Map.of();
      }
      LOG.info("search runs in its own group {} now; it continues on {} where group {} stopped: {}", searchGroup,
          requestTopic, oldGroup, old);
      return old;
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot read the committed offsets of " + oldGroup + " / " + searchGroup
          + " on " + requestTopic + " to carry search over to its own group", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while carrying search offsets over", e);
    }
  }

  /** The group's committed offsets; none for a group that does not exist (yet). */
  private static Map<TopicPartition, OffsetAndMetadata> committed(Admin admin, String group, Duration timeout)
      throws ExecutionException, InterruptedException, TimeoutException {
    try {
      return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof GroupIdNotFoundException) {
        return Map.of();
      }
      throw e;
    }
  }

  private static Map<TopicPartition, OffsetAndMetadata> onTopic(Map<TopicPartition, OffsetAndMetadata> offsets,
                                                                String topic) {
    return offsets.entrySet().stream()
        .filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
  }
}
