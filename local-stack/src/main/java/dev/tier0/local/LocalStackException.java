package dev.tier0.local;

/** The local stack could not start, answer or do what was asked; always carries the underlying cause. */
public class LocalStackException extends RuntimeException {
    public LocalStackException(String message, Throwable cause) {
        super(message, cause);
    }

    public LocalStackException(String message) {
        super(message);
    }
}
