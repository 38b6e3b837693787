package dev.tier0.milvus;

/** A mode the collection cannot serve: keyword or hybrid on a collection created before the BM25 field existed. */
public class UnsupportedModeException extends PermanentStoreException {
    public UnsupportedModeException(String message) {
        super(message);
    }
}
