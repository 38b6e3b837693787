package dev.tier0.streams.search;

import java.util.List;
import java.util.Objects;

/** The one reply every request gets: hits, or an error with a code. */
public sealed interface SearchReply {

  /** Base64 of the request's kafka_correlationId header bytes (binary-safe); null when the request had none. */
  String correlationId();

  /** Milliseconds spent embedding the query (its micro-batch) and searching the store. */
  record Timings(double embedMs, double searchMs) {}

  /** @param mode the mode that served the search (dense, keyword, hybrid); null in replies of older servers */
  record Hits(String correlationId, String model, List<SearchHit> hits, Timings timings, String mode)
      implements SearchReply {
    public Hits {
      hits = List.copyOf(hits);
      Objects.requireNonNull(timings, "timings");
    }

    public Hits(String correlationId, String model, List<SearchHit> hits, Timings timings) {
      this(correlationId, model, hits, timings, null);
    }
  }

  record Failure(String correlationId, ErrorCode code, String message) implements SearchReply {
    public Failure {
      Objects.requireNonNull(code, "code");
    }
  }
}
