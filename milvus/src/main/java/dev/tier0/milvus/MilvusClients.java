package dev.tier0.milvus;

import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.client.RetryConfig;

/** Builds the SDK client from {@link MilvusConfig}. */
final class MilvusClients {
    private MilvusClients() {
    }

    static ConnectConfig connectConfig(MilvusConfig c) {
        ConnectConfig.ConnectConfigBuilder b = ConnectConfig.builder()
                .uri(c.uri())
                .connectTimeoutMs(c.connectTimeoutMs())
                .rpcDeadlineMs(c.rpcTimeoutMs());
        if (c.token() != null) {
            b.token(c.token());
        }
        if (c.user() != null) {
            b.username(c.user());
        }
        if (c.password() != null) {
            b.password(c.password());
        }
        if (c.database() != null) {
            b.dbName(c.database());
        }
        boolean tls = c.serverCertPath() != null || c.caCertPath() != null || c.clientCertPath() != null;
        if (tls) {
            b.secure(true);
        }
        if (c.serverCertPath() != null) {
            b.serverPemPath(c.serverCertPath());
        }
        if (c.serverName() != null) {
            b.serverName(c.serverName());
        }
        if (c.clientCertPath() != null) {
            b.clientPemPath(c.clientCertPath()).clientKeyPath(c.clientKeyPath());
        }
        if (c.caCertPath() != null) {
            b.caPemPath(c.caCertPath());
        }
        return b.build();
    }

    /**
     * One attempt per call: tier0's callers (the Connect framework, the streams app) already retry transient
     * errors with their own back-off, so SDK retries underneath would multiply attempts and hide the deadline.
     */
    static RetryConfig noRetries() {
        return RetryConfig.builder().maxRetryTimes(1).retryOnRateLimit(false).build();
    }

    static MilvusClientV2 connect(MilvusConfig config) {
        MilvusClientV2 client;
        try {
            client = new MilvusClientV2(connectConfig(config));
        } catch (RuntimeException e) {
            throw ErrorClassifier.classify("connect to " + config.uri(), e);
        }
        client.retryConfig(noRetries());
        return client;
    }
}
