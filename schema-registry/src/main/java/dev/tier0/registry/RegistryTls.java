package dev.tier0.registry;

import dev.tier0.registry.RegistryConfig.KeyStoreFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Builds the SSLContext for an https registry from the configured trust store and (for mTLS) key store. */
final class RegistryTls {
  private RegistryTls() {}

  /** Null when neither store is configured: the HTTP client then uses the JVM's default context. */
  static SSLContext context(RegistryConfig config) {
    if (config.truststore() == null && config.keystore() == null) {
      return null;
    }
    try {
      TrustManagerFactory trust = null;
      if (config.truststore() != null) {
        trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(load(config.truststore()));
      }
      KeyManagerFactory keys = null;
      if (config.keystore() != null) {
        keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        String keyPassword = config.keyPassword() != null ? config.keyPassword() : config.keystore().password();
        keys.init(load(config.keystore()), chars(keyPassword));
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys == null ? null : keys.getKeyManagers(), trust == null ? null : trust.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("cannot set up TLS for the schema registry: " + e.getMessage(), e);
    }
  }

  private static KeyStore load(KeyStoreFile file) throws GeneralSecurityException, IOException {
    KeyStore store = KeyStore.getInstance(file.type());
    try (InputStream in = Files.newInputStream(file.path())) {
      store.load(in, chars(file.password()));
    } catch (IOException e) {
      throw new IOException("cannot read " + file.type() + " store " + file.path() + ": " + e.getMessage(), e);
    }
    return store;
  }

  private static char[] chars(String password) {
    return password == null ? null : password.toCharArray();
  }
}
