package dev.tier0.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
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
