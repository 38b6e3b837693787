package dev.tier0.milvus;

import java.util.Objects;

/** Connection, collection and index settings for {@link MemoryStore}. Secrets never appear in {@link #toString()}. */
public final class MilvusConfig {
    public static final String DEFAULT_URI = "http://localhost:19530";
    public static final String DEFAULT_COLLECTION = "tier0_memories";
    /** Requests stay far below the server's 64 MB gRPC limit even when the size estimate is a little off. */
    public static final int DEFAULT_MAX_REQUEST_BYTES = 16 * 1024 * 1024;

    private final String uri;
    private final String token;
    private final String user;
    private final String password;
    private final String database;
    private final String collection;
    private final VectorType vectorType;
    private final int indexM;
    private final int indexEfConstruction;
    private final int searchEf;
    private final String serverCertPath;
    private final String serverName;
    private final String clientCertPath;
    private final String clientKeyPath;
    private final String caCertPath;
    private final long connectTimeoutMs;
    private final long rpcTimeoutMs;
    private final int maxRequestBytes;

    private MilvusConfig(Builder b) {
        this.uri = Objects.requireNonNull(b.uri, "uri");
        this.token = b.token;
        this.user = b.user;
        this.password = b.password;
        this.database = b.database;
        this.collection = requireName(b.collection);
        this.vectorType = Objects.requireNonNull(b.vectorType, "vectorType");
        this.indexM = requirePositive(b.indexM, "indexM");
        this.indexEfConstruction = requirePositive(b.indexEfConstruction, "indexEfConstruction");
        this.searchEf = requirePositive(b.searchEf, "searchEf");
        this.serverCertPath = b.serverCertPath;
        this.serverName = b.serverName;
        this.clientCertPath = b.clientCertPath;
        this.clientKeyPath = b.clientKeyPath;
        this.caCertPath = b.caCertPath;
        this.connectTimeoutMs = requirePositive(b.connectTimeoutMs, "connectTimeoutMs");
        this.rpcTimeoutMs = requirePositive(b.rpcTimeoutMs, "rpcTimeoutMs");
        this.maxRequestBytes = requirePositive(b.maxRequestBytes, "maxRequestBytes");
        if (token != null && (user != null || password != null)) {
            throw new IllegalArgumentException("give either a token or user+password, not both");
        }
        if ((clientCertPath == null) != (clientKeyPath == null)) {
            throw new IllegalArgumentException("mutual TLS needs both clientCertPath and clientKeyPath");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.uri = uri; b.token = token; b.user = user; b.password = password; b.database = database;
        b.collection = collection; b.vectorType = vectorType; b.indexM = indexM;
        b.indexEfConstruction = indexEfConstruction; b.searchEf = searchEf; b.serverCertPath = serverCertPath;
        b.serverName = serverName; b.clientCertPath = clientCertPath; b.clientKeyPath = clientKeyPath;
        b.caCertPath = caCertPath; b.connectTimeoutMs = connectTimeoutMs; b.rpcTimeoutMs = rpcTimeoutMs;
        b.maxRequestBytes = maxRequestBytes;
        return b;
    }

    private static String requireName(String name) {
        if (name == null || !name.matches("[A-Za-z_][A-Za-z0-9_]{0,254}")) {
            throw new IllegalArgumentException("collection name must match [A-Za-z_][A-Za-z0-9_]*: " + name);
        }
        return name;
    }

    private static int requirePositive(int v, String name) {
        if (v <= 0) throw new IllegalArgumentException(name + " must be > 0, got " + v);
        return v;
    }

    private static long requirePositive(long v, String name) {
        if (v <= 0) throw new IllegalArgumentException(name + " must be > 0, got " + v);
        return v;
    }

    public String uri() { return uri; }
    public String token() { return token; }
    public String user() { return user; }
    public String password() { return password; }
    public String database() { return database; }
    public String collection() { return collection; }
    public VectorType vectorType() { return vectorType; }
    public int indexM() { return indexM; }
    public int indexEfConstruction() { return indexEfConstruction; }
    public int searchEf() { return searchEf; }
    public String serverCertPath() { return serverCertPath; }
    public String serverName() { return serverName; }
    public String clientCertPath() { return clientCertPath; }
    public String clientKeyPath() { return clientKeyPath; }
    public String caCertPath() { return caCertPath; }
    public long connectTimeoutMs() { return connectTimeoutMs; }
    public long rpcTimeoutMs() { return rpcTimeoutMs; }
    public int maxRequestBytes() { return maxRequestBytes; }

    @Override
    public String toString() {
        return "MilvusConfig{uri=" + uri + ", auth=" + (token != null ? "token" : user != null ? "user " + user : "none")
                + ", database=" + database + ", collection=" + collection + ", vectorType=" + vectorType
                + ", indexM=" + indexM + ", indexEfConstruction=" + indexEfConstruction + ", searchEf=" + searchEf
                + ", tls=" + (serverCertPath != null || caCertPath != null) + ", mtls=" + (clientCertPath != null)
                + ", connectTimeoutMs=" + connectTimeoutMs + ", rpcTimeoutMs=" + rpcTimeoutMs + "}";
    }

    public static final class Builder {
        private String uri = DEFAULT_URI;
        private String token;
        private String user;
        private String password;
        private String database;
        private String collection = DEFAULT_COLLECTION;
        private VectorType vectorType = VectorType.FLOAT_VECTOR;
        private int indexM = 16;
        private int indexEfConstruction = 200;
        private int searchEf = 50;
        private String serverCertPath;
        private String serverName;
        private String clientCertPath;
        private String clientKeyPath;
        private String caCertPath;
        private long connectTimeoutMs = 10_000;
        private long rpcTimeoutMs = 30_000;
        private int maxRequestBytes = DEFAULT_MAX_REQUEST_BYTES;

        private Builder() {
        }

        public Builder uri(String v) { uri = v; return this; }
        /** A Milvus token ("user:password" or an API key on Zilliz Cloud). */
        public Builder token(String v) { token = emptyToNull(v); return this; }
        public Builder user(String v) { user = emptyToNull(v); return this; }
        public Builder password(String v) { password = emptyToNull(v); return this; }
        public Builder database(String v) { database = emptyToNull(v); return this; }
        public Builder collection(String v) { collection = v; return this; }
        public Builder vectorType(VectorType v) { vectorType = v; return this; }
        public Builder indexM(int v) { indexM = v; return this; }
        public Builder indexEfConstruction(int v) { indexEfConstruction = v; return this; }
        public Builder searchEf(int v) { searchEf = v; return this; }
        /** One-way TLS: the server's certificate (PEM). */
        public Builder serverCertPath(String v) { serverCertPath = emptyToNull(v); return this; }
        /** The name the server certificate was issued for, when it differs from the URI host. */
        public Builder serverName(String v) { serverName = emptyToNull(v); return this; }
        /** Mutual TLS: the client's certificate (PEM); needs clientKeyPath and caCertPath. */
        public Builder clientCertPath(String v) { clientCertPath = emptyToNull(v); return this; }
        public Builder clientKeyPath(String v) { clientKeyPath = emptyToNull(v); return this; }
        public Builder caCertPath(String v) { caCertPath = emptyToNull(v); return this; }
        public Builder connectTimeoutMs(long v) { connectTimeoutMs = v; return this; }
        public Builder rpcTimeoutMs(long v) { rpcTimeoutMs = v; return this; }
        public Builder maxRequestBytes(int v) { maxRequestBytes = v; return this; }

        public MilvusConfig build() {
            return new MilvusConfig(this);
        }

        private static String emptyToNull(String v) {
            return v == null || v.isEmpty() ? null : v;
        }
    }
}
