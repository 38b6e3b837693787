package dev.tier0.embed;

/** A model spec (tier0-model.json) that is malformed or does not match its graph; the message names the field. */
public class ModelSpecException extends EmbeddingException {
  private final String field;
  private final String detail;

  public ModelSpecException(String field, String message) {
    super("tier0-model.json field \"" + field + "\": " + message);
    this.field = field;
    this.detail = message;
  }

  public ModelSpecException(String field, String message, Throwable cause) {
    super("tier0-model.json field \"" + field + "\": " + message, cause);
    this.field = field;
    this.detail = message;
  }

  /** The message without the field prefix. */
  public String detail() {
    return detail;
  }

  /** The spec field at fault (e.g. "outputs", "dimension"). */
  public String field() {
    return field;
  }
}
