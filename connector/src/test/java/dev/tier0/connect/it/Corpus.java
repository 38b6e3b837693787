package dev.tier0.connect.it;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Distinct, natural-looking notes: text i combines a subject, an action and an object chosen by the digits of i
 * in mixed radix, so the first 5,000 texts are all different while many share two of their three parts (near
 * neighbours that a search must rank below the exact text).
 */
public final class Corpus {
  private static final List<String> SUBJECTS = List.of("Ana", "The night nurse", "Our landlord", "Grandpa",
      "The new intern", "My sister", "The plumber", "Coach Rivera", "The accountant", "Dr. Okafor", "Tom",
      "The neighbour's kid", "The bakery owner", "Lena", "The project lead", "Uncle Sami", "The librarian",
      "Priya", "The mechanic", "Our dog walker");
  private static final List<String> ACTIONS = List.of("asked me to renew", "forgot to return",
      "recommended buying", "complained about", "wants help repairing", "finally paid for", "lost",
      "is allergic to", "keeps borrowing", "promised to bring back");
  private static final List<String> OBJECTS = List.of("the blue bicycle", "the tax forms for 2024",
      "a cast iron skillet", "the spare house keys", "the garden hose", "two tickets to the jazz concert",
      "the winter tyres", "the hiking boots", "a bag of almonds", "the insurance paperwork",
      "the kitchen scale", "the old piano", "the printer cartridges", "a pair of reading glasses",
      "the camping tent", "the library card", "a jar of honey", "the electric drill", "the passport renewal",
      "the yoga mat", "the birthday cake order", "the car seat", "the extension cord", "the vet appointment",
      "the wooden chess set");
  public static final int SIZE = SUBJECTS.size() * ACTIONS.size() * OBJECTS.size();

  private Corpus() {}

  public static String text(int i) {
    int k = i % SIZE;
    return SUBJECTS.get(k % SUBJECTS.size()) + " " + ACTIONS.get(k / SUBJECTS.size() % ACTIONS.size()) + " "
        + OBJECTS.get(k / (SUBJECTS.size() * ACTIONS.size())) + ".";
  }

  /** Record i's value in one of the three shapes, in turn: a string, a schemaless JSON object, a Struct. */
  public static String value(int i, String text) {
    return switch (i % 3) {
      case 0 -> Envelopes.string(text);
      case 1 -> Envelopes.schemaless(fields(i, text, "json"));
      default -> Envelopes.struct(fields(i, text, "struct"), List.of("n"));
    };
  }

  private static Map<String, Object> fields(int i, String text, String source) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("text", text);
    fields.put("source", source);
    fields.put("n", i);
    return fields;
  }
}
