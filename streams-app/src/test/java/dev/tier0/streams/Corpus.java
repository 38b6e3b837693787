package dev.tier0.streams;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/** Distinct, readable synthetic memories from a fixed seed: sentences combined from small word lists. */
final class Corpus {
  static final List<String> TENANTS = List.of("acme", "globex", "initech");
  private static final String[] WHO = {"Alice", "Bob", "the new intern", "my landlord", "the CFO", "grandma",
      "the dentist", "our neighbour", "the plumber", "Priya", "the support team", "Tom from accounting",
      "the kindergarten teacher", "the night nurse", "Coach Rivera", "the travel agent", "my sister",
      "the hiring manager", "the pilot", "Dr. Okafor"};
  private static final String[] DID = {"asked about", "forgot", "booked", "cancelled", "paid for", "complained about",
      "recommended", "fixed", "rescheduled", "signed", "lost", "found", "ordered", "returned", "photographed",
      "reviewed", "painted", "borrowed", "sold", "delivered"};
  private static final String[] WHAT = {"the blue bicycle", "two concert tickets", "the quarterly report",
      "a birthday cake", "the leaking kitchen tap", "the rental contract", "a flight to Lisbon", "the gym membership",
      "a box of seedlings", "the broken laptop charger", "the wedding venue", "a vintage record player",
      "the parking permit", "a hiking backpack", "the insurance claim", "the team offsite agenda",
      "a dozen sunflowers", "the piano lessons", "the garage door remote", "a bottle of olive oil"};
  private static final String[] WHEN = {"on Monday morning", "last Tuesday", "before the long weekend",
      "during the thunderstorm", "right after lunch", "at the end of March", "on a rainy Friday", "at midnight",
      "during the school holidays", "the day before the audit", "on the first of June", "after the football match",
      "while I was in Tokyo", "at the farmers market", "during the power cut"};

  record Entry(String id, String tenant, String text) {}

  static List<Entry> generate(int n, long seed) {
    Random random = new Random(seed);
    Set<String> texts = new LinkedHashSet<>();
    while (texts.size() < n) {
      texts.add(pick(random, WHO) + " " + pick(random, DID) + " " + pick(random, WHAT) + " " + pick(random, WHEN));
    }
    List<Entry> entries = new ArrayList<>(n);
    int i = 0;
    for (String text : texts) {
      entries.add(new Entry("mem-" + i, TENANTS.get(i % TENANTS.size()), text));
      i++;
    }
    return entries;
  }

  static String json(Entry e) {
    return "{\"id\":\"" + e.id() + "\",\"tenant\":\"" + e.tenant() + "\",\"text\":\"" + e.text()
        + "\",\"source\":\"corpus\",\"n\":" + e.id().substring(4) + "}";
  }

  private static String pick(Random random, String[] words) {
    return words[random.nextInt(words.length)];
  }
}
