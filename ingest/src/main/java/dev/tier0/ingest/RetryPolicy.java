package dev.tier0.ingest;

import java.time.Duration;

/**
 * Exponential backoff for transient store failures: base, 2x base, 4x base... capped at max.
 *
 * @param maxRetries retries of one store call before its requests are reported {@link Outcome.Unavailable}
 *                   (write.retry.max.retries)
 * @param backoff    the first retry's delay (write.retry.backoff.ms)
 * @param maxBackoff the longest delay (write.retry.backoff.max.ms)
 */
public record RetryPolicy(int maxRetries, Duration backoff, Duration maxBackoff) {
  public RetryPolicy {
    if (maxRetries < 0 || backoff.isNegative() || maxBackoff.isNegative()) {
      throw new IllegalArgumentException("retries and backoffs must not be negative");
    }
  }

  /** The delay before retry number {@code retry} (1-based). */
  public Duration delayBefore(int retry) {
    int doublings = Math.min(Math.max(retry - 1, 0), 30);
    long millis = backoff.toMillis() << doublings;
    return millis < 0 || millis > maxBackoff.toMillis() ? maxBackoff : Duration.ofMillis(millis);
  }
}
