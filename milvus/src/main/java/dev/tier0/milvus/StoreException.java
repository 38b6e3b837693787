package dev.tier0.milvus;

/** Base of every error the store reports; callers branch on the two subclasses. */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
