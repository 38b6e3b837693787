package dev.tier0.cli.soak;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The soak's input and its known truth, generated from a seed. Of {@code n} records: 1 % poison (12 kinds, each a
 * record the mapper or the JSON reader rejects, keyed {@code p<i>}), 5 % updates of an earlier live id, 2 % deletes
 * of an earlier live id (every other one a tombstone, the rest the {@code deleted: true} marker), the rest new
 * memories {@code m<i>} of 5 to 60 words, 3 % of them 300 to 600 words (several 128-token passages), over 4
 * tenants. Every record is keyed by its memory id, so one id's records stay in order on one partition; the truth
 * is the last write per id.
 */
final class SoakData {
  /** Value null: a tombstone. */
  record Event(String key, String value) {}

  static final String DELETE_FIELD = "deleted";
  static final List<String> POISON_KINDS = List.of("blank text", "missing text", "bad JSON", "text not a string",
      "id too long", "bad tenant", "metadata too deep", "metadata too large", "text too large",
      "unpaired surrogate", "not an object", "delete marker not boolean");
  static final String[] TENANTS = {"acme", "globex", "initech", "umbrella"};
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] WORDS = ("garden kitchen invoice meeting travel doctor birthday project deadline "
      + "coffee bicycle library concert weather budget holiday report neighbour recipe printer laptop password "
      + "insurance mortgage dentist flight hotel train ticket museum festival harvest orchard river mountain "
      + "lantern violin piano guitar painting sculpture novel poem letter parcel warehouse shipment customer "
      + "supplier contract lawyer court tax pension salary bonus promotion interview resume colleague manager "
      + "team sprint release bug feature database server network cable router antenna satellite telescope "
      + "planet comet volcano glacier desert forest meadow village harbour lighthouse ferry bridge tunnel "
      + "market bakery butcher florist pharmacy clinic hospital school teacher student exam homework").split(" ");

  final List<Event> events = new ArrayList<>();
  /** id -> latest text of every memory that must be stored at the end. */
  final Map<String, String> live = new LinkedHashMap<>();
  /** Ids written at some point and deleted last. */
  final Set<String> deleted = new HashSet<>();
  /** poison key -> kind. */
  final Map<String, String> poison = new LinkedHashMap<>();
  int updates;
  int tombstones;
  int markers;
  int longMemories;

  static SoakData generate(int n, long seed) {
    SoakData d = new SoakData();
    Random r = new Random(seed);
    List<String> liveIds = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double roll = r.nextDouble();
      if (roll < 0.01) {
        String key = "p" + i;
        String kind = POISON_KINDS.get(d.poison.size() % POISON_KINDS.size());
        d.poison.put(key, kind);
        d.events.add(new Event(key, poison(kind, key, r)));
      } else if (roll < 0.06 && liveIds.size() > 10) {
        String id = liveIds.get(r.nextInt(liveIds.size()));
        String text = text(id, i, r, d);
        d.live.put(id, text);
        d.updates++;
        d.events.add(new Event(id, memory(id, tenantOf(id), text)));
      } else if (roll < 0.08 && liveIds.size() > 10) {
        String id = liveIds.remove(r.nextInt(liveIds.size()));
        d.live.remove(id);
        d.deleted.add(id);
        if ((d.tombstones + d.markers) % 2 == 0) {
          d.tombstones++;
          d.events.add(new Event(id, null));
        } else {
          d.markers++;
          ObjectNode marker = JSON.createObjectNode().put("id", id).put("tenant", tenantOf(id))
              .put("text", "deleted").put(DELETE_FIELD, true);
          d.events.add(new Event(id, marker.toString()));
        }
      } else {
        String id = "m" + i;
        String text = text(id, i, r, d);
        liveIds.add(id);
        d.live.put(id, text);
        d.events.add(new Event(id, memory(id, tenantOf(id), text)));
      }
    }
    return d;
  }

  static String tenantOf(String id) {
    return TENANTS[Math.floorMod(id.hashCode(), TENANTS.length)];
  }

  private static String text(String id, int version, Random r, SoakData d) {
    boolean isLong = r.nextDouble() < 0.03;
    int words = isLong ? 300 + r.nextInt(300) : 5 + r.nextInt(56);
    if (isLong) {
      d.longMemories++;
    }
    StringBuilder sb = new StringBuilder("Note ").append(id).append(" v").append(version).append(':');
    for (int w = 0; w < words; w++) {
      sb.append(' ').append(WORDS[r.nextInt(WORDS.length)]);
      if (w % 14 == 13) {
        sb.append('.');
      }
    }
    return sb.append('.').toString();
  }

  private static String memory(String id, String tenant, String text) {
    return JSON.createObjectNode().put("id", id).put("tenant", tenant).put("text", text).put("kind", "note")
        .toString();
  }

  /** A record of {@code kind} that neither runtime may store; its id field (where it has one) is its key. */
  private static String poison(String kind, String key, Random r) {
    ObjectNode o = JSON.createObjectNode().put("id", key).put("tenant", "acme");
    switch (kind) {
      case "blank text" -> o.put("text", "   \t ");
      case "missing text" -> o.put("body", "the text is under another name");
      case "bad JSON" -> {
        return "{\"id\":\"" + key + "\",\"tenant\":\"acme\",\"text\":\"unterminated";
      }
      case "text not a string" -> o.putObject("text").put("nested", true);
      case "id too long" -> o.put("id", "x".repeat(600)).put("text", "an id of 600 bytes");
      case "bad tenant" -> o.put("tenant", "no spaces or ! allowed").put("text", "a bad tenant");
      case "metadata too deep" -> {
        o.put("text", "metadata 80 levels deep");
        ObjectNode node = o.putObject("meta");
        for (int i = 0; i < 80; i++) {
          node = node.putObject("a");
        }
      }
      case "metadata too large" -> o.put("text", "70 KB of metadata").put("blob", "y".repeat(70_000));
      case "text too large" -> o.put("text", "z ".repeat(35_000));
      case "unpaired surrogate" -> {
        return "{\"id\":\"" + key + "\",\"tenant\":\"acme\",\"text\":\"broken \\ud800 surrogate\"}";
      }
      case "not an object" -> {
        return "[1,2,3]";
      }
      case "delete marker not boolean" -> o.put("text", "marker says yes").put(DELETE_FIELD, "yes");
      default -> throw new IllegalArgumentException(kind);
    }
    try {
      return JSON.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
