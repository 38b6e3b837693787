package dev.tier0.milvus;

/** Worth retrying: the server is unavailable, a deadline passed or a rate limit applied. The caller owns the retry. */
public class TransientStoreException extends StoreException {
    public TransientStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
