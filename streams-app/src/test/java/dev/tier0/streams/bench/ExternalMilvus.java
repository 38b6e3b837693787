package dev.tier0.streams.bench;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.tier0.milvus.StoredMemory;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.service.collection.request.DropCollectionReq;
import io.milvus.v2.service.collection.request.HasCollectionReq;
import io.milvus.v2.service.collection.request.LoadCollectionReq;
import io.milvus.v2.service.collection.request.ReleaseCollectionReq;
import io.milvus.v2.service.index.request.DescribeIndexReq;
import io.milvus.v2.service.index.response.DescribeIndexResp;
import io.milvus.v2.service.utility.request.FlushReq;
import io.milvus.v2.service.vector.request.InsertReq;
import java.util.ArrayList;
import java.util.List;

/**
 * The benchmark's access to a Milvus server it did not start ({@code -Dtier0.bench.milvus.uri}), e.g. a full
 * Milvus standalone. Two things differ from Milvus Lite:
 * <ul>
 *   <li>Rows are written with insert, not tier0's upsert: Milvus 2.3.5 (the last version of PyPI's
 *       {@code milvus} package) routes upserted rows by the wrong field on a partition-key collection, so a search
 *       filtered by tenant never finds them (milvus-io/milvus#30607, fixed by #30773). The benchmark measures
 *       search, and its collection is fresh, so insert stores exactly what upsert would.</li>
 *   <li>Indexes are built in the background after a flush; the collection is reloaded only once every row is
 *       indexed, so searches measure the HNSW steady state rather than a brute-force scan.</li>
 * </ul>
 */
final class ExternalMilvus implements AutoCloseable {
  private static final Gson GSON = new Gson();
  private final MilvusClientV2 client;
  private final String collection;

  ExternalMilvus(String uri, String collection) {
    this.client = new MilvusClientV2(ConnectConfig.builder().uri(uri).build());
    this.collection = collection;
  }

  String serverVersion() {
    return client.getServerVersion();
  }

  /** Drops the benchmark's collection left by an earlier run, so the stored counts are what this run wrote. */
  void dropCollection() {
    if (client.hasCollection(HasCollectionReq.builder().collectionName(collection).build())) {
      client.dropCollection(DropCollectionReq.builder().collectionName(collection).build());
    }
  }

  void insert(List<StoredMemory> batch) {
    if (batch.isEmpty()) {
      return;
    }
    List<JsonObject> rows = new ArrayList<>(batch.size());
    for (StoredMemory m : batch) {
      JsonObject row = new JsonObject();
      row.addProperty("id", m.id());
      row.addProperty("tenant", m.tenant());
      JsonArray vector = new JsonArray(m.vector().length);
      for (float f : m.vector()) {
        vector.add(f);
      }
      row.add("vector", vector);
      row.addProperty("text", m.text());
      row.add("metadata", GSON.toJsonTree(m.metadata()));
      row.addProperty("source_topic", m.topic());
      row.addProperty("source_partition", m.partition());
      row.addProperty("source_offset", m.offset());
      row.addProperty("source_timestamp", m.timestamp());
      row.addProperty("model", m.model());
      row.addProperty("memory_id", m.chunk().memoryId());
      row.addProperty("chunk_index", m.chunk().index());
      row.addProperty("chunk_count", m.chunk().count());
      row.addProperty("span_start", m.chunk().start());
      row.addProperty("span_end", m.chunk().end());
      row.addProperty("memory_text", m.chunk().memoryText());
      row.addProperty("truncated", m.chunk().truncated());
      row.addProperty("fingerprint", m.chunk().fingerprint());
      rows.add(row);
    }
    client.insert(InsertReq.builder().collectionName(collection).data(rows).build());
  }

  /** Flush, wait until the index covers every row, then release and load so the query node serves the index. */
  void flushAndAwaitIndex() throws InterruptedException {
    client.flush(FlushReq.builder().collectionNames(List.of(collection)).build());
    long deadline = System.nanoTime() + 30L * 60 * 1_000_000_000;
    int polls = 0;
    while (true) {
      DescribeIndexResp.IndexDesc index = client.describeIndex(DescribeIndexReq.builder()
          .collectionName(collection).fieldName("vector").build()).getIndexDescriptions().get(0);
      if (index.getPendingIndexRows() == 0 && index.getIndexedRows() >= index.getTotalRows()) {
        System.out.printf("index covers %d of %d rows%n", index.getIndexedRows(), index.getTotalRows());
        break;
      }
      if (++polls % 10 == 0) {
        System.out.printf("waiting for the index: %d of %d rows indexed, %d pending%n", index.getIndexedRows(),
            index.getTotalRows(), index.getPendingIndexRows());
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("index not built in 30 min: " + index);
      }
      Thread.sleep(1_000);
    }
    client.releaseCollection(ReleaseCollectionReq.builder().collectionName(collection).build());
    client.loadCollection(LoadCollectionReq.builder().collectionName(collection).timeout(600_000L).build());
  }

  @Override
  public void close() {
    client.close();
  }
}
