package dev.tier0.milvus;

/** The existing collection does not match what tier0 expects; the message names the difference. */
public class SchemaMismatchException extends PermanentStoreException {
    public SchemaMismatchException(String message) {
        super(message);
    }
}
