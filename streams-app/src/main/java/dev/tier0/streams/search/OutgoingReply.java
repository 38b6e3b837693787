package dev.tier0.streams.search;

/** A reply on its way out: the JSON and where it goes (partition null = the default partitioner). */
public record OutgoingReply(String topic, Integer partition, byte[] json) {}
