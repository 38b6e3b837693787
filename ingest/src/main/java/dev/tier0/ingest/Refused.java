package dev.tier0.ingest;

/** A pre-write check's verdict on one record; the message is the rejection reason. Never leaves this package. */
final class Refused extends Exception {
  Refused(String reason) {
    super(reason, null, false, false);
  }
}
