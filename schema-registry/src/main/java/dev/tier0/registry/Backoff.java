package dev.tier0.registry;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with jitter: attempt n waits between half and all of min(max, first * 2^(n-1)). */
record Backoff(Duration first, Duration max) {

  Duration delay(int retry) {
    long ceiling = max.toMillis();
    long base = first.toMillis() << Math.min(retry - 1, 20);
    long bound = Math.max(1, Math.min(ceiling, base < 0 ? ceiling : base));
    // jitter so that many clients failing together do not come back together
    return Duration.ofMillis(bound / 2 + ThreadLocalRandom.current().nextLong(bound / 2 + 1));
  }
}
