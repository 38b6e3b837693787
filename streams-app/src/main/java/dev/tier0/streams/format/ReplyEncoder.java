package dev.tier0.streams.format;

/** Writes a JSON reply in the reply topic's format. */
@FunctionalInterface
public interface ReplyEncoder {
  /** search.reply.format=json. */
  ReplyEncoder JSON = (topic, json) -> json;

  byte[] encode(String topic, byte[] json);
}
