/**
 * The embedded default infrastructure: a single-node KRaft broker ({@link dev.tier0.local.LocalKafka}) and a
 * Connect worker ({@link dev.tier0.local.LocalConnect}) inside the current JVM, for integration tests and the
 * one-command local run.
 *
 * <pre>{@code
 * try (LocalKafka kafka = LocalKafka.start();
 *      LocalConnect connect = LocalConnect.start(kafka, List.of(pluginDir))) {
 *     kafka.createTopics("memories");
 *     connect.createConnector("tier0-sink", Map.of("connector.class", "...", "topics", "memories"));
 *     connect.awaitRunning("tier0-sink", 1, Duration.ofSeconds(60));
 * }
 * }</pre>
 *
 * Plugins are discovered with {@code plugin.discovery=service_load}: a connector is only found when its jar
 * lists it in {@code META-INF/services/org.apache.kafka.connect.sink.SinkConnector}.
 */
package dev.tier0.local;
