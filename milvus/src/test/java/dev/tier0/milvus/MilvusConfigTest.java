package dev.tier0.milvus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.RetryConfig;
import org.junit.jupiter.api.Test;

class MilvusConfigTest {

    @Test
    void defaultsFollowTheDesign() {
        MilvusConfig c = MilvusConfig.builder().build();
        assertThat(c.indexM()).isEqualTo(16);
        assertThat(c.indexEfConstruction()).isEqualTo(200);
        assertThat(c.searchEf()).isEqualTo(50);
        assertThat(c.vectorType()).isEqualTo(VectorType.FLOAT_VECTOR);
        assertThat(c.maxRequestBytes()).isLessThan(64 * 1024 * 1024);
    }

    @Test
    void secretsNeverAppearInToString() {
        String text = MilvusConfig.builder().token("s3cr3t-token").build().toString()
                + MilvusConfig.builder().user("bob").password("hunter2").build();
        assertThat(text).doesNotContain("s3cr3t-token").doesNotContain("hunter2").contains("user bob");
    }

    @Test
    void contradictoryOrIncompleteSettingsAreRejected() {
        assertThatThrownBy(() -> MilvusConfig.builder().token("t").user("u").build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MilvusConfig.builder().clientCertPath("c.pem").build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MilvusConfig.builder().collection("bad name").build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MilvusConfig.builder().searchEf(0).build())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void connectionSettingsReachTheSdk() {
        ConnectConfig cc = MilvusClients.connectConfig(MilvusConfig.builder().uri("https://m:19530").token("tok")
                .database("db1").caCertPath("/ca.pem").clientCertPath("/c.pem").clientKeyPath("/k.pem")
                .connectTimeoutMs(1234).rpcTimeoutMs(5678).build());
        assertThat(cc.getUri()).isEqualTo("https://m:19530");
        assertThat(cc.getToken()).isEqualTo("tok");
        assertThat(cc.getDbName()).isEqualTo("db1");
        assertThat(cc.getCaPemPath()).isEqualTo("/ca.pem");
        assertThat(cc.getClientPemPath()).isEqualTo("/c.pem");
        assertThat(cc.getClientKeyPath()).isEqualTo("/k.pem");
        assertThat(cc.getConnectTimeoutMs()).isEqualTo(1234);
        assertThat(cc.getRpcDeadlineMs()).isEqualTo(5678);
        assertThat(cc.isSecure()).isTrue();
    }

    @Test
    void theSdkMakesExactlyOneAttempt() {
        RetryConfig retry = MilvusClients.noRetries();
        assertThat(retry.getMaxRetryTimes()).isEqualTo(1);
        assertThat(retry.isRetryOnRateLimit()).isFalse();
    }
}
