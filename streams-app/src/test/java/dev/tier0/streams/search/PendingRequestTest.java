package dev.tier0.streams.search;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PendingRequestTest {
  @Test
  void shouldRoundTripEveryFieldIncludingNulls() {
    PendingRequest full = new PendingRequest(new byte[] {1, 2}, new byte[] {3}, new byte[] {0, -1, 5}, "replies", 2, 99L);
    PendingRequest empty = new PendingRequest(null, null, null, null, null, 0L);
    assertThat(PendingRequest.decode(full.encode())).usingRecursiveComparison().isEqualTo(full);
    assertThat(PendingRequest.decode(empty.encode())).usingRecursiveComparison().isEqualTo(empty);
  }
}
