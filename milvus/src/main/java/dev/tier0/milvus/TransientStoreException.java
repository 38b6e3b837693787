package dev.tier0.milvus;

/** Worth retrying: the server is unavailable, a deadline passed or a rate limit applied. The caller owns the retry. */
public class TransientStoreException extends StoreException {
    /** What the failure says about the server, for a caller deciding between "outage" and "this row". */
    public enum Kind {
        /** No answer: connection refused or broken, deadline passed. An outage. */
        UNREACHABLE,
        /** The server answered that it is over a limit (rate, memory, disk quota, too many requests): the load's
         *  fault, never one row's. */
        OVERLOADED,
        /** The server answered with a retriable error code (not ready, unavailable, time tick delay). Usually a
         *  passing state; Milvus Lite also answers so for a row it cannot decode. */
        SERVER_ERROR
    }

    private final Kind kind;

    public TransientStoreException(String message, Throwable cause) {
        this(message, cause, Kind.UNREACHABLE);
    }

    public TransientStoreException(String message, Throwable cause, Kind kind) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
