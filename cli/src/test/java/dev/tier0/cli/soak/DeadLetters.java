package dev.tier0.cli.soak;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads a dead-letter topic to its end: every poison record must be there, under its key, with a reason. */
final class DeadLetters {
  private final String bootstrap;
  private final SoakData data;

  DeadLetters(String bootstrap, SoakData data) {
    this.bootstrap = bootstrap;
    this.data = data;
  }

  void check(String topic, String reasonHeader, String who, List<String> misses, Map<String, Object> report) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    Map<String, List<String>> reasons = new HashMap<>();
    int total = 0;
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (consumer.position(tp) < end && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
          total++;
          Header h = r.headers().lastHeader(reasonHeader);
          reasons.computeIfAbsent(String.valueOf(r.key()), k -> new ArrayList<>())
              .add(h == null ? "" : new String(h.value(), StandardCharsets.UTF_8));
        }
      }
    }
    Map<String, String> byKind = new LinkedHashMap<>();
    int found = 0;
    for (Map.Entry<String, String> p : data.poison.entrySet()) {
      List<String> r = reasons.get(p.getKey());
      if (r == null) {
        misses.add(who + ": poison record " + p.getKey() + " (" + p.getValue() + ") is not in " + topic);
      } else if (r.stream().allMatch(String::isBlank)) {
        misses.add(who + ": poison record " + p.getKey() + " (" + p.getValue() + ") is in " + topic + " without a reason");
      } else {
        found++;
        byKind.putIfAbsent(p.getValue(), r.get(0).length() > 160 ? r.get(0).substring(0, 160) + "..." : r.get(0));
      }
    }
    List<String> unexpected = reasons.keySet().stream().filter(k -> !data.poison.containsKey(k)).limit(20).toList();
    if (!unexpected.isEmpty()) {
      misses.add(who + ": records that are not poison went to " + topic + ": " + unexpected + " e.g. "
          + reasons.get(unexpected.get(0)));
    }
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("dead_letters", total);
    s.put("poison_found", found);
    s.put("poison_expected", data.poison.size());
    s.put("extra_copies", total - reasons.size());
    s.put("reason_by_kind", byKind);
    report.put(who + "_dlq", s);
  }
}
