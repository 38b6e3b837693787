package dev.tier0.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalConnectIT {

    private static final String FILE_SINK = "org.apache.kafka.connect.file.FileStreamSinkConnector";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static LocalKafka kafka;
    private static LocalConnect connect;

    @BeforeAll
    static void startWorker() {
        kafka = LocalKafka.start();
        connect = HeapProbe.measure("LocalConnect", () -> LocalConnect.start(kafka, List.of(pluginPath())));
    }

    @AfterAll
    static void stop() {
        connect.close();
        kafka.close();
    }

    /** Built by the pom from the org.apache.kafka:connect-file artifact: target/connect-plugins/connect-file/*.jar */
    private static Path pluginPath() {
        return Path.of(System.getProperty("tier0.test.connectPlugins", "target/connect-plugins"));
    }

    @Test
    void findsTheFileSinkOnlyThroughPluginPath() {
        assertThatThrownBy(() -> Class.forName(FILE_SINK)).isInstanceOf(ClassNotFoundException.class);
        assertThat(connect.rest().connectorPlugins()).contains(FILE_SINK);
    }

    @Test
    void fileSinkWritesEveryRecordAndCanBeDeleted(@TempDir Path dir) throws Exception {
        kafka.createTopics("lines");
        List<String> lines = IntStream.range(0, 200).mapToObj(i -> "line-" + i).toList();
        produce("lines", lines);
        Path sinkFile = dir.resolve("sink.txt");

        connect.createConnector("file-sink", fileSink("lines", sinkFile));
        connect.awaitRunning("file-sink", 1, TIMEOUT);

        awaitLines(sinkFile, lines.size());
        assertThat(Files.readAllLines(sinkFile)).containsExactlyElementsOf(lines);

        connect.deleteConnector("file-sink");
        assertThat(connect.rest().connectors()).doesNotContain("file-sink");
        connect.deleteConnector("file-sink"); // deleting twice is harmless
    }

    @Test
    void restartingAFailedTaskRecoversIt(@TempDir Path dir) throws Exception {
        kafka.createTopics("restarts");
        // The sink cannot open a file in a directory that does not exist yet: its task fails on start.
        Path sinkFile = dir.resolve("later").resolve("sink.txt");
        connect.createConnector("restart-sink", fileSink("restarts", sinkFile));
        ConnectorStatus failed = connect.rest().awaitStatus("restart-sink",
                s -> s.tasks().size() == 1 && s.task(0).isFailed(), TIMEOUT);
        assertThat(failed.task(0).trace()).contains("sink.txt");

        Files.createDirectories(sinkFile.getParent());
        connect.restartTask("restart-sink", 0);
        connect.awaitRunning("restart-sink", 1, TIMEOUT);

        produce("restarts", List.of("after-restart"));
        awaitLines(sinkFile, 1);
        assertThat(Files.readAllLines(sinkFile)).containsExactly("after-restart");
        connect.deleteConnector("restart-sink");
    }

    @Test
    void closeIsIdempotentAndStopsTheRestApi() {
        LocalConnect second = LocalConnect.start(kafka.bootstrapServers(), List.of(), Map.of(
                "group.id", "second-worker",
                "config.storage.topic", "second-configs",
                "offset.storage.topic", "second-offsets",
                "status.storage.topic", "second-status"));
        assertThat(second.rest().isHealthy()).isTrue();
        assertThat(second.rest().connectorPlugins()).doesNotContain(FILE_SINK);
        second.close();
        second.close();
        assertThat(second.rest().isHealthy()).isFalse();
    }

    private static Map<String, String> fileSink(String topic, Path file) {
        return Map.of("connector.class", FILE_SINK, "tasks.max", "1", "topics", topic, "file", file.toString());
    }

    private static void produce(String topic, List<String> values) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(kafka.producerConfig())) {
            for (String value : values) {
                producer.send(new ProducerRecord<>(topic, value));
            }
            producer.flush();
        }
    }

    /** The sink flushes its file on each offset commit (every second here): poll until the lines are there. */
    private static void awaitLines(Path file, int expected) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (lineCount(file) < expected && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    private static long lineCount(Path file) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        try (var lines = Files.lines(file)) {
            return lines.count();
        }
    }
}
