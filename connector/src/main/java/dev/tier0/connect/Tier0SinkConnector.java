package dev.tier0.connect;

import dev.tier0.memory.config.SharedChecks;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkConnector;

/**
 * tier0's Kafka Connect sink: every record of the topics becomes a memory in Milvus, embedded in-process.
 * All tasks of a worker share one loaded model.
 */
public class Tier0SinkConnector extends SinkConnector {
  /** Task config key: the task's index, for thread names and logs. */
  static final String TASK_INDEX = "tier0.task.index";

  private final ConfigChecks checks;
  private Map<String, String> props;

  public Tier0SinkConnector() {
    this(new ConfigChecks(ConfigChecks.MILVUS));
  }

  Tier0SinkConnector(ConfigChecks checks) {
    this.checks = checks;
  }

  @Override
  public void start(Map<String, String> props) {
    Tier0SinkConnectorConfig config = new Tier0SinkConnectorConfig(props);
    Map<String, String> problems = SharedChecks.check(config).problems();
    if (!problems.isEmpty()) {
      throw new ConnectException("invalid configuration: " + problems);
    }
    this.props = Map.copyOf(props);
  }

  @Override
  public Class<? extends Task> taskClass() {
    return Tier0SinkTask.class;
  }

  @Override
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    List<Map<String, String>> configs = new ArrayList<>(maxTasks);
    for (int i = 0; i < maxTasks; i++) {
      Map<String, String> task = new HashMap<>(props);
      task.put(TASK_INDEX, Integer.toString(i));
      configs.add(task);
    }
    return configs;
  }

  @Override
  public void stop() {
    // tasks own the model and the store connections
  }

  @Override
  public ConfigDef config() {
    return Tier0SinkConnectorConfig.CONFIG_DEF;
  }

  /** Each key's own validator first; the checks across keys, the model and Milvus only when those pass. */
  @Override
  public Config validate(Map<String, String> connectorConfigs) {
    Config result = super.validate(connectorConfigs);
    boolean keysValid = result.configValues().stream().allMatch(v -> v.errorMessages().isEmpty());
    if (keysValid) {
      Map<String, ConfigValue> byName = new HashMap<>();
      result.configValues().forEach(v -> byName.put(v.name(), v));
      checks.problems(new Tier0SinkConnectorConfig(connectorConfigs))
          .forEach((key, message) -> byName.get(key).addErrorMessage(message));
    }
    return result;
  }

  @Override
  public String version() {
    return Version.get();
  }
}
