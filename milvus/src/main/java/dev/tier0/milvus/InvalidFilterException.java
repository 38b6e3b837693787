package dev.tier0.milvus;

/** A tenant or metadata filter that cannot be expressed safely (bad key, unsupported value). */
public class InvalidFilterException extends PermanentStoreException {
    public InvalidFilterException(String message) {
        super(message);
    }
}
