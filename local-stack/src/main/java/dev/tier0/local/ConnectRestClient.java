package dev.tier0.local;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A small client for the Kafka Connect REST API: the calls tests and the local run need, each retried while the
 * worker answers 409 (a rebalance is in progress), so callers never sleep and hope.
 */
public final class ConnectRestClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration POLL_INTERVAL = Duration.ofMillis(100);
    private static final Duration REBALANCE_PATIENCE = Duration.ofSeconds(60);
    private static final Duration FAILED_GRACE = Duration.ofSeconds(5);

    private final URI baseUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public ConnectRestClient(URI baseUrl) {
        // resolve("connectors") must append to the path, not replace its last segment
        this.baseUrl = baseUrl.toString().endsWith("/") ? baseUrl : URI.create(baseUrl + "/");
    }

    public URI baseUrl() {
        return baseUrl;
    }

    /** True once the worker's herder has started and it can serve requests (GET /health is 200). */
    public boolean isHealthy() {
        try {
            return send(HttpRequest.newBuilder(url("health")).GET()).statusCode() == 200;
        } catch (LocalStackException e) {
            return false;
        }
    }

    /** Creates the connector, or updates its configuration when it exists (PUT /connectors/NAME/config). */
    public void createConnector(String name, Map<String, String> config) {
        expect(retryWhileRebalancing(HttpRequest.newBuilder(url("connectors/" + encode(name) + "/config"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(toJson(config)))), 200, 201);
    }

    /** Deletes the connector; deleting one that does not exist is not an error. */
    public void deleteConnector(String name) {
        expect(retryWhileRebalancing(HttpRequest.newBuilder(url("connectors/" + encode(name))).DELETE()), 204, 404);
    }

    public void restartTask(String name, int taskId) {
        expect(retryWhileRebalancing(HttpRequest.newBuilder(url("connectors/" + encode(name) + "/tasks/" + taskId + "/restart"))
                .POST(HttpRequest.BodyPublishers.noBody())), 200, 202, 204);
    }

    public List<String> connectors() {
        HttpResponse<String> response = expect(send(HttpRequest.newBuilder(url("connectors")).GET()), 200);
        List<String> names = new ArrayList<>();
        parse(response.body()).forEach(node -> names.add(node.asText()));
        return names;
    }

    /** Class names of the connector plugins the worker found (classpath and plugin.path). */
    public List<String> connectorPlugins() {
        HttpResponse<String> response = expect(send(HttpRequest.newBuilder(url("connector-plugins")).GET()), 200);
        List<String> classes = new ArrayList<>();
        parse(response.body()).forEach(node -> classes.add(node.path("class").asText()));
        return classes;
    }

    /** The connector's status; throws when the worker does not know it (yet). */
    public ConnectorStatus status(String name) {
        HttpResponse<String> response = expect(send(HttpRequest.newBuilder(url("connectors/" + encode(name) + "/status")).GET()), 200);
        JsonNode root = parse(response.body());
        List<ConnectorStatus.TaskStatus> tasks = new ArrayList<>();
        root.path("tasks").forEach(task -> tasks.add(new ConnectorStatus.TaskStatus(
                task.path("id").asInt(), task.path("state").asText(), textOrNull(task.path("trace")))));
        JsonNode connector = root.path("connector");
        return new ConnectorStatus(root.path("name").asText(name), connector.path("state").asText(),
                textOrNull(connector.path("trace")), tasks);
    }

    /**
     * Polls the status until the connector and {@code expectedTasks} tasks run. Fails early when a FAILED state
     * persists for {@link #FAILED_GRACE}: not at once, because right after a restart the status still shows the
     * previous failure for a moment.
     */
    public ConnectorStatus awaitRunning(String name, int expectedTasks, Duration timeout) {
        long[] failedSince = {0};
        ConnectorStatus status = awaitStatus(name, s -> {
            if (!s.isFailed()) {
                failedSince[0] = 0;
            } else if (failedSince[0] == 0) {
                failedSince[0] = System.nanoTime();
            }
            boolean stillFailed = failedSince[0] != 0 && System.nanoTime() - failedSince[0] > FAILED_GRACE.toNanos();
            return s.isRunning(expectedTasks) || stillFailed;
        }, timeout);
        if (!status.isRunning(expectedTasks)) {
            throw new LocalStackException("connector " + name + " failed: " + status);
        }
        return status;
    }

    /** Polls the status until {@code condition} holds; a connector not yet known counts as not holding. */
    public ConnectorStatus awaitStatus(String name, Predicate<ConnectorStatus> condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        ConnectorStatus last = null;
        LocalStackException lastError = null;
        while (true) {
            try {
                last = status(name);
                if (condition.test(last)) {
                    return last;
                }
            } catch (LocalStackException e) {
                lastError = e;
            }
            if (System.nanoTime() > deadline) {
                throw new LocalStackException("connector " + name + " did not reach the expected state within "
                        + timeout + "; last status " + last, lastError);
            }
            pause();
        }
    }

    private HttpResponse<String> retryWhileRebalancing(HttpRequest.Builder request) {
        long deadline = System.nanoTime() + REBALANCE_PATIENCE.toNanos();
        while (true) {
            HttpResponse<String> response = send(request);
            if (response.statusCode() != 409 || System.nanoTime() > deadline) {
                return response;
            }
            pause();
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(90)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new LocalStackException("Connect REST call failed: " + request.build().uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalStackException("interrupted calling Connect REST", e);
        }
    }

    private static HttpResponse<String> expect(HttpResponse<String> response, int... codes) {
        for (int code : codes) {
            if (response.statusCode() == code) {
                return response;
            }
        }
        throw new LocalStackException(response.request().method() + " " + response.request().uri() + " answered "
                + response.statusCode() + ": " + response.body());
    }

    private URI url(String path) {
        return baseUrl.resolve(path);
    }

    private static String encode(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new LocalStackException("cannot encode " + value, e);
        }
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new LocalStackException("Connect answered something that is not JSON: " + body, e);
        }
    }

    private static String textOrNull(JsonNode node) {
        return node.isMissingNode() || node.isNull() ? null : node.asText();
    }

    private static void pause() {
        try {
            Thread.sleep(POLL_INTERVAL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalStackException("interrupted while polling Connect", e);
        }
    }
}
