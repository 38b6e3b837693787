package dev.tier0.streams.search;

/** A request that fails validation; becomes an error reply with its code, never a stream failure. */
public final class RequestRejectedException extends RuntimeException {
  private final ErrorCode code;

  public RequestRejectedException(ErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }
}
