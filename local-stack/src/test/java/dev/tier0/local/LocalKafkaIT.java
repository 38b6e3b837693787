package dev.tier0.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalKafkaIT {

    private static LocalKafka kafka;

    @BeforeAll
    static void startBroker() {
        kafka = HeapProbe.measure("LocalKafka", LocalKafka::start);
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    @Test
    void consumerGroupReadsBackEveryRecordAndCommitsItsOffsets() throws Exception {
        kafka.createTopics("thousand");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(kafka.producerConfig())) {
            for (int i = 0; i < 1000; i++) {
                producer.send(new ProducerRecord<>("thousand", "k" + i, "v" + i));
            }
        }

        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(kafka.consumerConfig("readers"))) {
            consumer.subscribe(List.of("thousand"));
            pollUntil(consumer, values, 1000);
            consumer.commitSync();
        }

        assertThat(values).hasSize(1000).startsWith("v0", "v1").endsWith("v999").doesNotHaveDuplicates();
        // The committed offset lives in __consumer_offsets: this only works when that topic exists (RF 1).
        try (Admin admin = Admin.create(kafka.adminConfig())) {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets("readers").partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            assertThat(committed.get(new TopicPartition("thousand", 0)).offset()).isEqualTo(1000);
        }
    }

    /**
     * KAFKA-15591: an idempotent producer's first request to a partition the broker has not yet opened fails with
     * NOT_LEADER_OR_FOLLOWER; if a later request of the same producer lands first, the broker starts the producer's
     * state there and every retry of the first one is out of order until {@code delivery.timeout.ms} drops it: silent
     * loss. So a topic {@link LocalKafka#createTopics} returns must already take writes: many small batches in flight
     * to many partitions right after creation must all be written.
     */
    @Test
    void topicsTakeEveryWriteAsSoonAsTheyAreCreated() throws Exception {
        int topics = 20;
        int partitions = 4;
        int perPartition = 200;
        List<String> names = IntStream.range(0, topics).mapToObj(i -> "fresh-" + i).toList();
        Map<String, Object> config = kafka.producerConfig();
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 512); // a few records a batch: five requests in flight at once
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
            for (String name : names) {
                kafka.createTopics(List.of(new NewTopic(name, partitions, (short) 1)));
                for (int i = 0; i < partitions * perPartition; i++) {
                    sent.add(producer.send(new ProducerRecord<>(name, i % partitions, "k" + i, "value " + i)));
                }
            }
            producer.flush();
        }
        long failed = sent.stream().filter(f -> {
            try {
                f.get();
                return false;
            } catch (Exception e) {
                return true;
            }
        }).count();
        assertThat(failed).as("records the broker never wrote").isZero();
        try (Admin admin = Admin.create(kafka.adminConfig())) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            names.forEach(n -> IntStream.range(0, partitions)
                    .forEach(p -> latest.put(new TopicPartition(n, p), OffsetSpec.latest())));
            admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS)
                    .forEach((tp, info) -> assertThat(info.offset()).as("end of %s", tp).isEqualTo(perPartition));
        }
    }

    @Test
    void transactionalProducerCommitsAndAborts() {
        kafka.createTopics("transactional");
        Map<String, Object> producerConfig = kafka.producerConfig();
        producerConfig.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tier0-local-test");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig)) {
            producer.initTransactions(); // needs __transaction_state, which needs RF 1 here
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("transactional", "committed-1"));
            producer.send(new ProducerRecord<>("transactional", "committed-2"));
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("transactional", "aborted"));
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("transactional", "committed-3"));
            producer.commitTransaction();
        }

        Map<String, Object> consumerConfig = kafka.consumerConfig("transactional-readers");
        consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig)) {
            consumer.subscribe(List.of("transactional"));
            pollUntil(consumer, values, 3);
            // Read past the last commit marker so a wrongly delivered aborted record would have shown up.
            consumer.poll(Duration.ofMillis(500)).forEach(r -> values.add(r.value()));
        }
        assertThat(values).containsExactly("committed-1", "committed-2", "committed-3");
    }

    @Test
    void keptDataDirectorySurvivesARestartAndCloseIsIdempotent(@TempDir Path dataDir) throws Exception {
        LocalKafka first = LocalKafka.start(dataDir, 0);
        first.createTopics("kept");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(first.producerConfig())) {
            producer.send(new ProducerRecord<>("kept", "survives")).get(30, TimeUnit.SECONDS);
        }
        first.close();
        first.close();

        try (LocalKafka second = LocalKafka.start(dataDir, 0)) {
            try (Admin admin = Admin.create(second.adminConfig())) {
                long end = admin.listOffsets(Map.of(new TopicPartition("kept", 0), OffsetSpec.latest()))
                        .all().get(30, TimeUnit.SECONDS).get(new TopicPartition("kept", 0)).offset();
                assertThat(end).isEqualTo(1);
            }
            List<String> values = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(second.consumerConfig("kept-readers"))) {
                consumer.subscribe(List.of("kept"));
                pollUntil(consumer, values, 1);
            }
            assertThat(values).containsExactly("survives");
        }
        assertThat(dataDir.resolve("meta.properties")).exists();
    }

    private static void pollUntil(KafkaConsumer<String, String> consumer, List<String> values, int expected) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (values.size() < expected && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                values.add(record.value());
            }
        }
    }
}
