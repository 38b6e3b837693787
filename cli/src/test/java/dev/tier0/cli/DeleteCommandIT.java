package dev.tier0.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tier0.local.LocalKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/** {@code tier0 delete} writes one tombstone per id to a real (in-process KRaft) broker. */
class DeleteCommandIT {
  @Test
  void deleteWritesATombstoneKeyedByEachMemoryId() {
    try (LocalKafka kafka = LocalKafka.start()) {
      kafka.createTopics("memories");
      int exit = Tier0.commandLine().execute("delete", "-b", kafka.bootstrapServers(), "shed", "doc#2000");
      assertThat(exit).isZero();

      Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
          ConsumerConfig.GROUP_ID_CONFIG, "delete-it", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      List<ConsumerRecord<String, String>> read = new ArrayList<>();
      try (KafkaConsumer<String, String> consumer =
               new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
        consumer.subscribe(List.of("memories"));
        for (int polls = 0; polls < 60 && read.size() < 2; polls++) {
          consumer.poll(Duration.ofMillis(500)).forEach(read::add);
        }
      }
      assertThat(read).extracting(ConsumerRecord::key).containsExactly("shed", "doc#2000");
      assertThat(read).extracting(ConsumerRecord::value).containsOnlyNulls();
    }
  }

  @Test
  void aBlankIdIsRefusedBeforeAnythingIsWritten() {
    int exit = Tier0.commandLine().execute("delete", "-b", "127.0.0.1:1", " ");
    assertThat(exit).isNotZero();
  }
}
