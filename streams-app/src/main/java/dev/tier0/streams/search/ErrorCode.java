package dev.tier0.streams.search;

/**
 * Why a search request got an error reply instead of hits. The names are the wire contract: clients branch on
 * them, so they never change meaning.
 */
public enum ErrorCode {
  /** The value is not UTF-8 JSON, not an object, or has duplicate keys. */
  MALFORMED_REQUEST(false),
  /** No "query", or a blank one. */
  MISSING_QUERY(false),
  /** The query is not a string or is over the size cap. */
  INVALID_QUERY(false),
  /** "top_k" is not an integer in [1, search.top.k.max]. */
  BAD_TOP_K(false),
  /** "min_score" is not a number in [-1, 1], or comes with a mode other than dense (only dense scores are cosine). */
  BAD_MIN_SCORE(false),
  /** "tenant" is not a string matching the tenant alphabet. */
  BAD_TENANT(false),
  /**
   * "filter" breaks the grammar: an unknown operator, an array or null value, mixed types in an "in" list, a range
   * on a non-number, an over-long list, a bad time bound. The message gives the reason.
   */
  BAD_FILTER(false),
  /** "mode" is not dense, keyword or hybrid. */
  BAD_MODE(false),
  /** "fusion" is not rrf or weighted, or "dense_weight" is not in [0, 1] (or given without weighted fusion). */
  BAD_FUSION(false),
  /** "recency_half_life" is not a duration between 1 s and 3650 d. */
  BAD_RECENCY(false),
  /**
   * The collection cannot serve the mode: keyword or hybrid on a collection created before tier0 added the BM25
   * field. The message names the migration (a new collection, re-ingested).
   */
  UNSUPPORTED_MODE(false),
  /** A filter key outside the allowed metadata keys. */
  UNKNOWN_FILTER_KEY(false),
  /** A field the request contract does not define (a typo would otherwise be silently ignored). */
  UNKNOWN_FIELD(false),
  /** The kafka_replyTopic header names a topic that does not exist; the error goes to the default reply topic. */
  UNKNOWN_REPLY_TOPIC(false),
  /** An Avro request whose schema id the Schema Registry does not know. */
  UNKNOWN_SCHEMA(false),
  /** The Schema Registry could not be reached (after its retries) for the request's schema: worth retrying. */
  SCHEMA_REGISTRY_UNAVAILABLE(true),
  /** The model failed on this query. */
  EMBEDDING_FAILED(true),
  /** The vector store did not answer (down, timeout): worth retrying. */
  STORE_UNAVAILABLE(true),
  /** The vector store refused the search. */
  STORE_ERROR(false),
  /** A bug: the message says what happened. */
  INTERNAL_ERROR(true);

  private final boolean retriable;

  ErrorCode(boolean retriable) {
    this.retriable = retriable;
  }

  /** Whether sending the same request again may succeed. */
  public boolean retriable() {
    return retriable;
  }
}
