package dev.tier0.embed;

/**
 * One embedding: an L2-normalised vector, the number of tokens the model actually saw (at most the spec's
 * max_length, special tokens included) and whether the text was cut to fit max_length.
 */
public record Embedding(float[] vector, int tokenCount, boolean truncated) {}
