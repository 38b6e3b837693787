package dev.tier0.milvus;

import static org.assertj.core.api.Assertions.assertThat;

import io.milvus.shaded.io.grpc.Status;
import io.milvus.v2.exception.ErrorCode;
import io.milvus.v2.exception.MilvusClientException;
import dev.tier0.milvus.TransientStoreException.Kind;
import org.junit.jupiter.api.Test;

class ErrorClassifierTest {

    private static MilvusClientException rpc(Status status) {
        return new MilvusClientException(ErrorCode.RPC_ERROR, status.asRuntimeException());
    }

    @Test
    void unavailableDeadlineAndRateLimitAreTransient() {
        assertThat(ErrorClassifier.classify("op", rpc(Status.UNAVAILABLE))).isInstanceOf(TransientStoreException.class);
        assertThat(ErrorClassifier.classify("op", rpc(Status.DEADLINE_EXCEEDED)))
                .isInstanceOf(TransientStoreException.class);
        assertThat(ErrorClassifier.classify("op", new MilvusClientException(ErrorCode.SERVER_ERROR, "rate", 8, 49)))
                .isInstanceOf(TransientStoreException.class);
        assertThat(ErrorClassifier.classify("op", new MilvusClientException(ErrorCode.TIMEOUT, "slow")))
                .isInstanceOf(TransientStoreException.class);
    }

    @Test
    void aTransientFailureSaysWhetherTheServerAnsweredAndWhetherItWasOverALimit() {
        assertThat(kind(new MilvusClientException(ErrorCode.SERVER_ERROR, "rate", 8, 49))).isEqualTo(Kind.OVERLOADED);
        assertThat(kind(new MilvusClientException(ErrorCode.SERVER_ERROR, "memory", 3, 0))).isEqualTo(Kind.OVERLOADED);
        assertThat(kind(rpc(Status.RESOURCE_EXHAUSTED))).isEqualTo(Kind.OVERLOADED);
        // Milvus Lite answers a row it cannot decode with code 1 or 2: the server answered, not for load
        assertThat(kind(new MilvusClientException(ErrorCode.SERVER_ERROR, "recursion", 1, 0)))
                .isEqualTo(Kind.SERVER_ERROR);
        assertThat(kind(rpc(Status.UNAVAILABLE))).isEqualTo(Kind.UNREACHABLE);
        assertThat(kind(new MilvusClientException(ErrorCode.TIMEOUT, "slow"))).isEqualTo(Kind.UNREACHABLE);
    }

    private static Kind kind(RuntimeException e) {
        return ((TransientStoreException) ErrorClassifier.classify("op", e)).kind();
    }

    @Test
    void aCallCancelledByAServerShuttingDownIsTransient() {
        assertThat(ErrorClassifier.classify("op", rpc(Status.CANCELLED))).isInstanceOf(TransientStoreException.class);
    }

    @Test
    void aConnectionBrokenMidCallIsTransientButOtherUnknownErrorsAreNot() {
        assertThat(ErrorClassifier.classify("op", rpc(Status.UNKNOWN.withDescription("channel closed"))))
                .isInstanceOf(TransientStoreException.class);
        assertThat(ErrorClassifier.classify("op", rpc(Status.UNKNOWN.withCause(
                new java.nio.channels.ClosedChannelException())))).isInstanceOf(TransientStoreException.class);
        assertThat(ErrorClassifier.classify("op", rpc(Status.UNKNOWN.withDescription("bad expression"))))
                .isInstanceOf(PermanentStoreException.class);
    }

    @Test
    void schemaArgumentAndAuthErrorsArePermanent() {
        assertThat(ErrorClassifier.classify("op", rpc(Status.UNAUTHENTICATED)))
                .isInstanceOf(PermanentStoreException.class);
        assertThat(ErrorClassifier.classify("op", rpc(Status.PERMISSION_DENIED)))
                .isInstanceOf(PermanentStoreException.class);
        assertThat(ErrorClassifier.classify("op", new MilvusClientException(ErrorCode.INVALID_PARAMS, "bad")))
                .isInstanceOf(PermanentStoreException.class);
        assertThat(ErrorClassifier.classify("op", new MilvusClientException(ErrorCode.SERVER_ERROR, "bad", 1100, 5)))
                .isInstanceOf(PermanentStoreException.class);
        assertThat(ErrorClassifier.classify("op", new IllegalArgumentException("x")))
                .isInstanceOf(PermanentStoreException.class);
    }

    @Test
    void theCauseAndOperationAreKept() {
        MilvusClientException cause = rpc(Status.UNAVAILABLE.withDescription("connection refused"));
        StoreException e = ErrorClassifier.classify("upsert 3 memories", cause);
        assertThat(e).hasCause(cause);
        assertThat(e.getMessage()).contains("upsert 3 memories").contains("UNAVAILABLE").contains("connection refused");
    }

    @Test
    void storeExceptionsPassThroughUnchanged() {
        SchemaMismatchException original = new SchemaMismatchException("x");
        assertThat(ErrorClassifier.classify("op", original)).isSameAs(original);
    }
}
