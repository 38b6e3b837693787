package dev.tier0.milvus;

import io.milvus.common.utils.GTsDict;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.MilvusServiceGrpc;
import io.milvus.grpc.MsgBase;
import io.milvus.grpc.MsgType;
import io.milvus.grpc.MutationResult;
import io.milvus.grpc.UpsertRequest;
import io.milvus.shaded.io.grpc.ManagedChannel;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.utils.ClientUtils;
import io.milvus.v2.utils.RpcUtils;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Sends upserts built by {@link RowColumns} to Milvus's {@code Upsert} RPC, on a gRPC channel of its own made by the
 * SDK's {@code ClientUtils} from the same {@link ConnectConfig} as the store's {@code MilvusClientV2}, so TLS,
 * token, user and password, and the database header are the SDK's own. Why not {@code MilvusClientV2.upsert}: see
 * {@link RowColumns}. What the SDK's upsert does around the call, this does too: one attempt with the configured
 * deadline, waiting for a reconnecting channel within it; a refused request raises the SDK's own
 * {@code MilvusClientException} (its {@code RpcUtils}), a transport failure gRPC's {@code StatusRuntimeException},
 * which {@link ErrorClassifier} sorts as for any SDK call; and the write's timestamp is recorded where the SDK's
 * SESSION-consistency reads find it ({@code GTsDict}), so tier0's own reads see what it just wrote.
 * Not for a Zilliz Cloud global-cluster endpoint, which the SDK's client routes to its primary cluster itself
 * ({@link MemoryStore} uses the SDK's upsert there). Thread-safe.
 */
final class UpsertChannel implements AutoCloseable {
    private final ManagedChannel channel;
    private final MilvusServiceGrpc.MilvusServiceBlockingStub stub;
    private final long deadlineMs;
    private final RpcUtils rpc = new RpcUtils();

    UpsertChannel(ConnectConfig config, long deadlineMs) {
        this.channel = new ClientUtils().getChannel(config);
        this.stub = MilvusServiceGrpc.newBlockingStub(channel).withWaitForReady();
        this.deadlineMs = deadlineMs;
    }

    /**
     * Inserts or replaces {@code rows} rows, given as their columns.
     *
     * @param database   the database, or null for the connection's (Milvus's "default")
     * @param collection the collection
     * @param columns    one column per written field, each with {@code rows} values ({@link RowColumns#of})
     */
    void upsert(String database, String collection, List<FieldData> columns, int rows) {
        UpsertRequest.Builder request = UpsertRequest.newBuilder()
                .setBase(MsgBase.newBuilder().setMsgType(MsgType.Upsert))
                .setCollectionName(collection).setNumRows(rows).addAllFieldsData(columns);
        if (database != null) {
            request.setDbName(database);
        }
        MutationResult result = stub.withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS).upsert(request.build());
        rpc.handleResponse("upsert " + rows + " rows into " + collection, result.getStatus());
        GTsDict.getInstance().updateCollectionTs(GTsDict.CombineCollectionName(database, collection),
                result.getTimestamp());
    }

    @Override
    /** Cancels any upsert still running (as the SDK's client close does) and waits up to 3 s for the channel. */
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(3, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
