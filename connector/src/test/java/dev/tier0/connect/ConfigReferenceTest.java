package dev.tier0.connect;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/connector-config.md is generated from the ConfigDef; this test fails when the committed file is out of
 * date. Regenerate it with {@code ./mvnw -pl connector -am test -Dtest=ConfigReferenceTest -Dtier0.docs.write=true
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class ConfigReferenceTest {
  static final Path DOC = Path.of(System.getProperty("tier0.home", ".."), "docs", "connector-config.md");

  static String rendered() {
    return ConfigReference.markdown(Tier0SinkConnectorConfig.CONFIG_DEF, "tier0 sink connector: configuration",
        "Generated from the connector's `ConfigDef` (`dev.tier0.connect.ConfigReference`); do not edit by hand. "
            + "`ConfigReferenceTest` fails when this file is out of date.\n\n"
            + "Besides these keys the worker's own sink settings apply (`topics`, `tasks.max`, converters, and "
            + "`errors.tolerance` with `errors.deadletterqueue.topic.name`: a record that cannot become a memory goes "
            + "to the dead-letter queue with `errors.tolerance=all` and fails the task with `none`; with "
            + "`errors.deadletterqueue.context.headers.enable=true` the reason is in the header "
            + "`__connect.errors.exception.message`). The model, Milvus and record-mapping keys are shared with the "
            + "streams app.");
  }

  @Test
  void shouldMatchTheCommittedReference() throws IOException {
    String expected = rendered();
    if (Boolean.getBoolean("tier0.docs.write")) {
      Files.createDirectories(DOC.getParent());
      Files.writeString(DOC, expected);
    }
    assertThat(DOC).exists();
    assertThat(Files.readString(DOC))
        .as("%s is out of date: rerun with -Dtier0.docs.write=true", DOC)
        .isEqualTo(expected);
  }

  @Test
  void shouldListEveryKeyWithWhatIsValid() {
    String doc = rendered();
    Tier0SinkConnectorConfig.CONFIG_DEF.names().forEach(name -> assertThat(doc).contains("| `" + name + "` |"));
    assertThat(doc).contains("## Model", "## Milvus", "## Record mapping", "## Write");
    assertThat(doc).contains("one of key, field, coordinates (case-insensitive)");
  }
}
