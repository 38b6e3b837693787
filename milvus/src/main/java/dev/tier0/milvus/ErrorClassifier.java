package dev.tier0.milvus;

import io.milvus.shaded.io.grpc.Status;
import io.milvus.shaded.io.grpc.StatusRuntimeException;
import io.milvus.v2.exception.ErrorCode;
import io.milvus.v2.exception.MilvusClientException;
import java.util.Set;

/**
 * Turns SDK failures into the two kinds callers act on. The SDK's own retries are switched off
 * ({@link MilvusClients}), so every failure arrives here once and the caller (Connect, the streams app) retries.
 */
final class ErrorClassifier {
    /**
     * gRPC codes that say "try again later". CANCELLED is among them because tier0 never cancels its own calls
     * (its limits arrive as DEADLINE_EXCEEDED): a cancelled call is a server shutting down or a dropped
     * connection, which is exactly an outage the callers must ride out.
     */
    private static final Set<Status.Code> TRANSIENT_GRPC = Set.of(Status.Code.UNAVAILABLE,
            Status.Code.DEADLINE_EXCEEDED, Status.Code.RESOURCE_EXHAUSTED, Status.Code.ABORTED,
            Status.Code.CANCELLED);

    /**
     * Milvus server codes (merr) that Milvus itself marks retriable: service not ready (1), unavailable (2),
     * memory limit (3), too many requests (4), disk quota (7), rate limit (8), time tick delay (11).
     * Legacy code 49 is the pre-2.3 RateLimit.
     */
    private static final Set<Integer> TRANSIENT_SERVER_CODES = Set.of(1, 2, 3, 4, 7, 8, 11);
    private static final int LEGACY_RATE_LIMIT = 49;
    private static final Set<Integer> OVERLOAD_SERVER_CODES = Set.of(3, 4, 7, 8);

    private ErrorClassifier() {
    }

    static StoreException classify(String operation, RuntimeException e) {
        if (e instanceof StoreException se) {
            return se;
        }
        String message = operation + " failed: " + describe(e);
        return isTransient(e) ? new TransientStoreException(message, e, transientKind(e))
                : new PermanentStoreException(message, e);
    }

    /** Of a transient failure: whether the server answered at all, and if so whether it was over a limit. */
    static TransientStoreException.Kind transientKind(Throwable e) {
        if (isOverload(e)) {
            return TransientStoreException.Kind.OVERLOADED;
        }
        if (findGrpc(e) == null && e instanceof MilvusClientException mce
                && mce.getErrorCode() == ErrorCode.SERVER_ERROR) {
            return TransientStoreException.Kind.SERVER_ERROR;
        }
        return TransientStoreException.Kind.UNREACHABLE;
    }

    /**
     * The server's own limits: gRPC RESOURCE_EXHAUSTED, or Milvus's memory limit (3), too many requests (4), disk
     * quota (7), rate limit (8), legacy rate limit (49). A request refused for these is not refused for its rows.
     */
    static boolean isOverload(Throwable e) {
        StatusRuntimeException grpc = findGrpc(e);
        if (grpc != null) {
            return grpc.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED;
        }
        if (e instanceof MilvusClientException mce && mce.getErrorCode() == ErrorCode.SERVER_ERROR) {
            return OVERLOAD_SERVER_CODES.contains(mce.getServerErrCode()) || mce.getLegacyServerCode() == LEGACY_RATE_LIMIT;
        }
        return false;
    }

    static boolean isTransient(Throwable e) {
        StatusRuntimeException grpc = findGrpc(e);
        if (grpc != null) {
            return TRANSIENT_GRPC.contains(grpc.getStatus().getCode()) || isBrokenTransport(grpc.getStatus());
        }
        if (e instanceof MilvusClientException mce) {
            return switch (mce.getErrorCode()) {
                case TIMEOUT, RPC_ERROR -> true;
                case SERVER_ERROR -> TRANSIENT_SERVER_CODES.contains(mce.getServerErrCode())
                        || mce.getLegacyServerCode() == LEGACY_RATE_LIMIT;
                default -> false;
            };
        }
        return false;
    }

    /**
     * A connection that breaks mid-call (the server killed, a network cut) can surface as UNKNOWN rather than
     * UNAVAILABLE, depending on when it breaks: "channel closed", or an I/O exception as the status cause.
     */
    private static boolean isBrokenTransport(Status status) {
        if (status.getCode() != Status.Code.UNKNOWN) {
            return false;
        }
        if ("channel closed".equalsIgnoreCase(String.valueOf(status.getDescription()))) {
            return true;
        }
        for (Throwable t = status.getCause(); t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof java.io.IOException) {
                return true;
            }
        }
        return false;
    }

    private static StatusRuntimeException findGrpc(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StatusRuntimeException sre) {
                return sre;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    private static String describe(Throwable e) {
        StatusRuntimeException grpc = findGrpc(e);
        if (grpc != null) {
            return "gRPC " + grpc.getStatus().getCode() + ": " + grpc.getStatus().getDescription();
        }
        if (e instanceof MilvusClientException mce) {
            return mce.getErrorCode() + " (server code " + mce.getServerErrCode() + "): " + mce.getMessage();
        }
        return e.toString();
    }
}
