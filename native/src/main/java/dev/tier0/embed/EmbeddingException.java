package dev.tier0.embed;

/** Any failure of the embedding engine: loading, tokenising or running the model. Keeps its cause. */
public class EmbeddingException extends RuntimeException {
  public EmbeddingException(String message) {
    super(message);
  }

  public EmbeddingException(String message, Throwable cause) {
    super(message, cause);
  }
}
