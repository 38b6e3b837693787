package dev.tier0.milvus;

/** Worth retrying: the server is unavailable, a deadline passed or a rate limit applied. The caller owns the retry. */
public class TransientStoreException extends StoreException {
    private final boolean overloaded;

    public TransientStoreException(String message, Throwable cause) {
        this(message, cause, false);
    }

    /**
     * @param overloaded the server said it is over a limit (rate, memory, disk quota, too many requests): the
     *                   failure belongs to the load, never to one row of the request
     */
    public TransientStoreException(String message, Throwable cause, boolean overloaded) {
        super(message, cause);
        this.overloaded = overloaded;
    }

    /** True when the server refused for load (a rate or resource limit): back off, do not look for a bad row. */
    public boolean overloaded() {
        return overloaded;
    }
}
