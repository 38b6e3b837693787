package dev.tier0.cli.soak;

import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.service.vector.request.QueryReq;
import io.milvus.v2.service.vector.response.QueryResp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The final state of a collection against the truth, read by primary key with strong consistency: every live memory's
 * chunk 0 holds its latest text (the passage's {@code text} of a one-passage memory, {@code memory_text} of chunk 0
 * otherwise) and passages 1..count-1 exist; no deleted memory has chunk 0; and count(*) equals the passages those
 * memories name, so there is no duplicate, orphan or poison row either.
 */
final class Verifier {
  private static final int IDS_PER_QUERY = 500;
  private final String uri;
  private final SoakData data;
  private final Map<String, Map<String, Object>> summaries = new HashMap<>();

  Verifier(String uri, SoakData data) {
    this.uri = uri;
    this.data = data;
  }

  /** Verifies until the collection matches or the timeout passes (the streams app flushes its pending store). */
  List<String> awaitConverged(String collection, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<String> problems;
      try {
        problems = verify(collection);
      } catch (RuntimeException e) {
        problems = List.of("cannot read " + collection + ": " + e);
      }
      if (problems.isEmpty() || System.nanoTime() > deadline) {
        return problems;
      }
      Thread.sleep(10_000);
    }
  }

  Map<String, Object> summary(String collection) {
    return summaries.getOrDefault(collection, Map.of());
  }

  List<String> verify(String collection) {
    List<String> problems = new ArrayList<>();
    MilvusClientV2 client = new MilvusClientV2(ConnectConfig.builder().uri(uri).build());
    try {
      // Milvus Lite comes back from a restart with its collections released; nobody may have read this one since
      client.loadCollection(io.milvus.v2.service.collection.request.LoadCollectionReq.builder()
          .collectionName(collection).build());
      List<String> live = new ArrayList<>(data.live.keySet());
      Map<String, Map<String, Object>> chunk0 = rows(client, collection,
          live.stream().map(id -> id + "#0").toList());
      long expectedRows = 0;
      int wrongText = 0;
      int missing = 0;
      List<String> moreIds = new ArrayList<>();
      for (String id : live) {
        Map<String, Object> row = chunk0.get(id + "#0");
        if (row == null) {
          if (missing++ < 5) {
            problems.add("live memory " + id + " has no chunk 0");
          }
          continue;
        }
        int count = ((Number) row.get("chunk_count")).intValue();
        expectedRows += count;
        String stored = count > 1 ? (String) row.get("memory_text") : (String) row.get("text");
        if (!data.live.get(id).equals(stored)) {
          if (wrongText++ < 5) {
            problems.add("memory " + id + " holds an older or wrong text: " + abbreviate(stored));
          }
        }
        for (int i = 1; i < count; i++) {
          moreIds.add(id + "#" + i);
        }
      }
      Map<String, Map<String, Object>> others = rows(client, collection, moreIds);
      int missingPassages = (int) moreIds.stream().filter(id -> !others.containsKey(id)).count();
      Map<String, Map<String, Object>> deletedRows = rows(client, collection,
          data.deleted.stream().map(id -> id + "#0").toList());
      long count = count(client, collection);
      if (missing > 0) {
        problems.add(missing + " of " + live.size() + " live memories missing");
      }
      if (wrongText > 0) {
        problems.add(wrongText + " memories with a text other than their latest");
      }
      if (missingPassages > 0) {
        problems.add(missingPassages + " passages (chunk 1..n-1) missing");
      }
      if (!deletedRows.isEmpty()) {
        problems.add(deletedRows.size() + " deleted memories still stored, e.g. "
            + deletedRows.keySet().stream().limit(5).collect(Collectors.toList()));
      }
      if (count != expectedRows) {
        problems.add("count(*) is " + count + ", the live memories name " + expectedRows
            + " passages: " + (count > expectedRows ? "duplicate, orphan or poison rows" : "rows missing"));
      }
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("rows", count);
      s.put("expected_rows", expectedRows);
      s.put("live_memories", live.size());
      s.put("deleted_checked", data.deleted.size());
      summaries.put(collection, s);
      return problems;
    } finally {
      client.close();
    }
  }

  /** Which of these row ids the collection holds (strong consistency); empty while the collection does not exist. */
  static java.util.Set<String> present(String uri, String collection, List<String> rowIds) {
    MilvusClientV2 client = new MilvusClientV2(ConnectConfig.builder().uri(uri).build());
    try {
      if (!client.hasCollection(io.milvus.v2.service.collection.request.HasCollectionReq.builder()
          .collectionName(collection).build())) {
        return java.util.Set.of();
      }
      client.loadCollection(io.milvus.v2.service.collection.request.LoadCollectionReq.builder()
          .collectionName(collection).build());
      return rows(client, collection, rowIds).keySet();
    } finally {
      client.close();
    }
  }

  /** count(*) of the collection, -1 while it does not exist. */
  static long count(String uri, String collection) {
    MilvusClientV2 client = new MilvusClientV2(ConnectConfig.builder().uri(uri).build());
    try {
      if (!client.hasCollection(io.milvus.v2.service.collection.request.HasCollectionReq.builder()
          .collectionName(collection).build())) {
        return -1;
      }
      client.loadCollection(io.milvus.v2.service.collection.request.LoadCollectionReq.builder()
          .collectionName(collection).build());
      return count(client, collection);
    } finally {
      client.close();
    }
  }

  private static Map<String, Map<String, Object>> rows(MilvusClientV2 client, String collection, List<String> ids) {
    Map<String, Map<String, Object>> out = new HashMap<>();
    for (int from = 0; from < ids.size(); from += IDS_PER_QUERY) {
      List<String> part = ids.subList(from, Math.min(ids.size(), from + IDS_PER_QUERY));
      String filter = "id in [" + part.stream().map(id -> "\"" + id + "\"").collect(Collectors.joining(",")) + "]";
      QueryResp resp = client.query(QueryReq.builder().collectionName(collection).filter(filter)
          .outputFields(List.of("id", "chunk_count", "text", "memory_text"))
          .consistencyLevel(ConsistencyLevel.STRONG).build());
      for (QueryResp.QueryResult r : resp.getQueryResults()) {
        out.put((String) r.getEntity().get("id"), r.getEntity());
      }
    }
    return out;
  }

  private static long count(MilvusClientV2 client, String collection) {
    QueryResp resp = client.query(QueryReq.builder().collectionName(collection).filter("")
        .outputFields(List.of("count(*)")).consistencyLevel(ConsistencyLevel.STRONG).build());
    return ((Number) resp.getQueryResults().get(0).getEntity().get("count(*)")).longValue();
  }

  private static String abbreviate(String s) {
    return s == null ? "null" : s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }
}
