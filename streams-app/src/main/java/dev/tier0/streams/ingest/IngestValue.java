package dev.tier0.streams.ingest;

/**
 * A decoded ingest value: a String (plain text) or a Map (a JSON object), with the raw bytes kept for the
 * dead-letter topic.
 */
public record IngestValue(Object value, byte[] raw) {}
