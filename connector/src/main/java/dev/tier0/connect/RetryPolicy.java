package dev.tier0.connect;

import java.time.Duration;

/** Exponential backoff for transient store failures: base, 2x base, 4x base... capped at max. */
record RetryPolicy(int maxRetries, Duration backoff, Duration maxBackoff) {

  /** The delay before retry number {@code retry} (1-based). */
  Duration delayBefore(int retry) {
    int doublings = Math.min(Math.max(retry - 1, 0), 30);
    long millis = backoff.toMillis() << doublings;
    return millis <= 0 || millis > maxBackoff.toMillis() ? maxBackoff : Duration.ofMillis(millis);
  }
}
