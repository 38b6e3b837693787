package dev.tier0.embed;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Deterministic, varied English sentences for parity tests and benchmarks (same seed, same list). */
public final class Sentences {
  private static final String[] SUBJECTS = {"The engineer", "A small team", "My neighbour", "The committee",
      "Our new intern", "The old librarian", "A curious child", "The delivery driver", "Every student",
      "The marketing department", "A retired pilot", "The city council", "Her younger brother", "The night nurse",
      "A group of hikers", "The head chef", "Most customers", "The quiet accountant", "This startup", "The orchestra"};
  private static final String[] VERBS = {"reviewed", "ignored", "celebrated", "rebuilt", "questioned", "documented",
      "postponed", "translated", "measured", "painted", "delivered", "cancelled", "discovered", "explained",
      "repaired", "described", "recommended", "compared", "organised", "predicted"};
  private static final String[] OBJECTS = {"the quarterly budget", "a broken bicycle", "the annual report",
      "the river bridge", "an unusual recipe", "the server migration", "a forgotten manuscript",
      "the weather forecast", "the school timetable", "a vintage camera", "the payment system", "the garden fence",
      "a difficult contract", "the museum exhibition", "the train schedule", "a family photograph",
      "the security audit", "the mountain trail", "a jazz concert", "the kitchen renovation"};
  private static final String[] TAILS = {"before the deadline", "after a long discussion", "without telling anyone",
      "during the storm", "in front of the whole office", "for the third time this year", "on a rainy Tuesday",
      "with surprising enthusiasm", "despite the objections", "because the old one failed", "at the last minute",
      "while everyone else was on holiday", "using only a pencil and paper", "to the delight of the audience",
      "according to the morning newspaper"};
  private static final String[] FILLERS = {"however", "meanwhile", "interestingly", "as a result", "in the end",
      "unfortunately", "by contrast", "at first", "eventually", "surprisingly"};
  private static final String[] EXTRA = {"prices", "rain", "memory", "network", "coffee", "language", "history",
      "science", "music", "traffic", "energy", "software", "football", "weather", "health", "travel", "books",
      "markets", "gardens", "water", "cities", "children", "planets", "oceans", "forests", "machines"};

  private Sentences() {}

  /** {@code count} sentences of roughly minWords..maxWords words. */
  public static List<String> generate(int count, int minWords, int maxWords, long seed) {
    Random random = new Random(seed);
    List<String> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int target = minWords + random.nextInt(maxWords - minWords + 1);
      StringBuilder sb = new StringBuilder();
      int words = 0;
      while (words < target) {
        if (sb.length() > 0) {
          sb.append(' ').append(pick(random, FILLERS)).append(", ");
        }
        String clause = pick(random, SUBJECTS) + " " + pick(random, VERBS) + " " + pick(random, OBJECTS) + " "
            + pick(random, TAILS);
        if (random.nextInt(3) == 0) {
          clause += " and talked about " + pick(random, EXTRA) + " and " + pick(random, EXTRA);
        }
        sb.append(sb.length() == 0 ? clause : clause.substring(0, 1).toLowerCase() + clause.substring(1));
        words = sb.toString().split("\\s+").length;
      }
      String[] all = sb.toString().split("\\s+");
      String sentence = String.join(" ", java.util.Arrays.copyOf(all, Math.min(all.length, target)));
      sentence = sentence.replaceAll("[,]$", "");
      out.add(sentence + (random.nextInt(5) == 0 ? "?" : "."));
    }
    return out;
  }

  private static String pick(Random random, String[] words) {
    return words[random.nextInt(words.length)];
  }
}
