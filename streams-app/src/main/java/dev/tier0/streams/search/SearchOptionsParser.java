package dev.tier0.streams.search;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tier0.milvus.Fusion;
import dev.tier0.milvus.SearchMode;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The request fields that pick how a search runs: {@code mode} ("dense" | "keyword" | "hybrid"), {@code fusion}
 * ("rrf" | "weighted") with {@code dense_weight} (0..1, weighted only), and {@code recency_half_life} ("7d",
 * "12h", "30m", "90s", or ISO-8601 "P7D"; between 1 s and 3650 d).
 */
final class SearchOptionsParser {
  static final Duration MIN_HALF_LIFE = Duration.ofSeconds(1);
  static final Duration MAX_HALF_LIFE = Duration.ofDays(3650);
  private static final Pattern SHORT = Pattern.compile("(\\d{1,9})(ms|s|m|h|d|w)");

  private SearchOptionsParser() {}

  static SearchMode mode(JsonNode node) {
    if (absent(node)) {
      return null;
    }
    if (!node.isTextual()) {
      throw new RequestRejectedException(ErrorCode.BAD_MODE, "\"mode\" must be \"dense\", \"keyword\" or \"hybrid\"");
    }
    try {
      return SearchMode.of(node.textValue());
    } catch (IllegalArgumentException e) {
      throw new RequestRejectedException(ErrorCode.BAD_MODE, "\"mode\" " + abbreviate(e.getMessage()));
    }
  }

  static Fusion fusion(JsonNode fusion, JsonNode denseWeight) {
    if (absent(fusion)) {
      if (!absent(denseWeight)) {
        throw new RequestRejectedException(ErrorCode.BAD_FUSION,
            "\"dense_weight\" applies to \"fusion\": \"weighted\" only (name it with the weight)");
      }
      return null; // the default, Fusion.defaultFusion()
    }
    String kind = fusion.isTextual() ? fusion.textValue().toLowerCase(Locale.ROOT) : null;
    if (!"rrf".equals(kind) && !"weighted".equals(kind)) {
      throw new RequestRejectedException(ErrorCode.BAD_FUSION, "\"fusion\" must be \"rrf\" or \"weighted\", was "
          + abbreviate(String.valueOf(fusion)));
    }
    if (kind.equals("rrf")) {
      if (!absent(denseWeight)) {
        throw new RequestRejectedException(ErrorCode.BAD_FUSION,
            "\"dense_weight\" applies to \"fusion\": \"weighted\" only");
      }
      return Fusion.rrf();
    }
    return absent(denseWeight) ? Fusion.weighted(Fusion.DEFAULT_DENSE_WEIGHT) : weighted(denseWeight);
  }

  private static Fusion weighted(JsonNode denseWeight) {
    if (!denseWeight.isNumber() || !(denseWeight.doubleValue() >= 0 && denseWeight.doubleValue() <= 1)) {
      throw new RequestRejectedException(ErrorCode.BAD_FUSION, "\"dense_weight\" must be a number in [0, 1], was "
          + abbreviate(denseWeight.toString()));
    }
    return Fusion.weighted(denseWeight.floatValue());
  }

  static Duration halfLife(JsonNode node) {
    if (absent(node)) {
      return null;
    }
    if (!node.isTextual()) {
      throw badRecency(node.toString());
    }
    Duration d = parseDuration(node.textValue());
    if (d == null || d.compareTo(MIN_HALF_LIFE) < 0 || d.compareTo(MAX_HALF_LIFE) > 0) {
      throw badRecency(node.textValue());
    }
    return d;
  }

  /** "7d", "12h", "30m", "90s", "500ms", "2w", or ISO-8601 ("P7D", "PT12H"); null when neither. */
  static Duration parseDuration(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    Matcher m = SHORT.matcher(t);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        case "d" -> Duration.ofDays(n);
        default -> Duration.ofDays(7 * n);
      };
    }
    try {
      return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static RequestRejectedException badRecency(String value) {
    return new RequestRejectedException(ErrorCode.BAD_RECENCY, "\"recency_half_life\" must be a duration like"
        + " \"7d\", \"12h\", \"30m\" or ISO-8601 \"P7D\", between 1s and 3650d; was " + abbreviate(value));
  }

  private static boolean absent(JsonNode node) {
    return node == null || node.isNull();
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "...";
  }
}
