package dev.tier0.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tier0.registry.RegistryConfig.KeyStoreFile;
import dev.tier0.registry.ScriptedServer.Reply;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS and mutual TLS against a real HTTPS server, with certificates made by the JDK's keytool. */
class RegistryTlsTest {
  private static final String PASSWORD = "changeit";
  @TempDir
  static Path dir;

  @BeforeAll
  static void makeCertificates() throws Exception {
    for (String who : List.of("server", "client")) {
      keytool("-genkeypair", "-alias", who, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + who,
          "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-keystore", who + ".p12", "-storetype", "PKCS12",
          "-storepass", PASSWORD, "-keypass", PASSWORD);
      // the trust store holding just that certificate (in process: a keytool run costs a JVM start)
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry(who, load(who + ".p12").getCertificate(who));
      try (OutputStream out = Files.newOutputStream(dir.resolve(who + "-trust.p12"))) {
        trust.store(out, PASSWORD.toCharArray());
      }
    }
  }

  @Test
  void shouldTalkToAnHttpsRegistryTrustedThroughTheConfiguredTruststore() {
    try (ScriptedServer server = ScriptedServer.https(serverContext(), false, r -> Reply.json(200, "{\"id\":11}"));
         HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(RegistryConfig.fromProperties(Map.of(
             RegistryConfig.URL, server.url(),
             RegistryConfig.TRUSTSTORE_LOCATION, dir.resolve("server-trust.p12").toString(),
             RegistryConfig.TRUSTSTORE_PASSWORD, PASSWORD)))) {
      assertThat(client.register("s", SchemaType.AVRO, "\"string\"")).isEqualTo(11);
    }
  }

  @Test
  void shouldPresentTheClientCertificateForMutualTls() {
    try (ScriptedServer server = ScriptedServer.https(serverContext(), true, r -> Reply.json(200, "{\"id\":12}"))) {
      try (HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(RegistryConfig.builder().url(server.url())
          .truststore(new KeyStoreFile(dir.resolve("server-trust.p12"), PASSWORD, "PKCS12"))
          .keystore(new KeyStoreFile(dir.resolve("client.p12"), PASSWORD, "PKCS12"), PASSWORD).build())) {
        assertThat(client.register("s", SchemaType.AVRO, "\"string\"")).isEqualTo(12);
      }
      try (HttpSchemaRegistryClient anonymous = new HttpSchemaRegistryClient(RegistryConfig.builder().url(server.url())
          .truststore(new KeyStoreFile(dir.resolve("server-trust.p12"), PASSWORD, "PKCS12")).maxRetries(0).build())) {
        assertThatThrownBy(() -> anonymous.register("s", SchemaType.AVRO, "\"string\""))
            .isInstanceOf(SchemaRegistryException.class);
      }
    }
  }

  @Test
  void shouldFailAtOnceWithoutRetryingWhenTheServerIsNotTrusted() {
    try (ScriptedServer server = ScriptedServer.https(serverContext(), false, r -> Reply.json(200, "{\"id\":1}"));
         HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(RegistryConfig.builder().url(server.url())
             .truststore(new KeyStoreFile(dir.resolve("client-trust.p12"), PASSWORD, "PKCS12")).maxRetries(3).build())) {
      assertThatThrownBy(() -> client.schemaById(1)).isInstanceOf(SchemaRegistryException.class)
          .isNotInstanceOf(RegistryUnavailableException.class).hasMessageContaining("TLS handshake");
      assertThat(server.requests()).isEmpty();
    }
  }

  @Test
  void shouldNameAMissingStoreFile() {
    RegistryConfig config = RegistryConfig.builder().url("https://127.0.0.1:1")
        .truststore(new KeyStoreFile(dir.resolve("missing.p12"), PASSWORD, null)).build();
    assertThatThrownBy(() -> new HttpSchemaRegistryClient(config)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("missing.p12");
  }

  private static SSLContext serverContext() {
    try {
      KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(load("server.p12"), PASSWORD.toCharArray());
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(load("client-trust.p12"));
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
      return context;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyStore load(String file) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(dir.resolve(file))) {
      store.load(in, PASSWORD.toCharArray());
    }
    return store;
  }

  private static void keytool(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + out);
    }
  }
}
