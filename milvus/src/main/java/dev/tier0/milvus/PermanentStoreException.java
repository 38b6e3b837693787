package dev.tier0.milvus;

/** Retrying will not help: a schema mismatch, an invalid argument, an authentication failure. */
public class PermanentStoreException extends StoreException {
    public PermanentStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public PermanentStoreException(String message) {
        super(message, null);
    }
}
