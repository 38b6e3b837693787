package dev.tier0.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tier0.embed.BundledModel;
import dev.tier0.embed.EngineOptions;
import dev.tier0.embed.SharedModels;
import dev.tier0.memory.Memory;
import dev.tier0.milvus.Chunk;
import dev.tier0.milvus.Hit;
import dev.tier0.milvus.MemoryStore;
import dev.tier0.milvus.MilvusConfig;
import dev.tier0.milvus.MilvusLite;
import dev.tier0.milvus.SearchQuery;
import dev.tier0.milvus.TransientStoreException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Long memories through the shared writer into a real Milvus Lite, with the real MiniLM (256 tokens a passage):
 * every word searchable, whole-memory updates and deletes, one hit per memory.
 */
class ChunkedMemoriesIT {
  private static final RetryPolicy QUICK = new RetryPolicy(1, Duration.ZERO, Duration.ZERO);
  @TempDir
  static Path dir;
  static MilvusLite lite;
  static EngineEmbedder model;

  @BeforeAll
  static void start() {
    lite = MilvusLite.start(dir.resolve("data"));
    model = new EngineEmbedder(SharedModels.acquire(BundledModel.directory(), EngineOptions.defaults()));
  }

  @AfterAll
  static void stop() {
    lite.close();
  }

  private static MilvusVectorStore store(String collection) {
    return new MilvusVectorStore(MilvusConfig.builder().uri(lite.uri()).collection(collection).build(),
        model.dimension()).open();
  }

  private static MemoryStore raw(String collection) {
    return MemoryStore.connect(MilvusConfig.builder().uri(lite.uri()).collection(collection).build());
  }

  private static IngestWriter writer(VectorStore store, ChunkSettings chunking) {
    return new IngestWriter(model, store, WriteLimits.defaults(), QUICK, chunking);
  }

  private static WriteRequest upsert(long offset, String id, String text) {
    return upsert(offset, id, text, Map.of("kind", "note"));
  }

  private static WriteRequest upsert(long offset, String id, String text, Map<String, Object> metadata) {
    return new WriteRequest.Upsert(new Memory(id, "t", text, metadata), new Source("memories", 0, offset, 1000L));
  }

  private static List<Hit> search(VectorStore store, String query, int topK) {
    return store.search(new SearchQuery(model.embedQueries(List.of(query)).get(0), "t", topK, Map.of(), 0, null));
  }

  /** About {@code words} words of filler on gardening and weather, sentences of 12 words. */
  static String filler(int words, long seed) {
    String[] vocab = {"the", "tomatoes", "grew", "tall", "this", "summer", "and", "rain", "came", "often", "in",
        "july", "we", "planted", "beans", "near", "fence", "neighbours", "visited", "for", "tea", "afternoon"};
    Random r = new Random(seed);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < words; i++) {
      sb.append(vocab[r.nextInt(vocab.length)]).append(i % 12 == 11 ? ". " : " ");
    }
    return sb.toString();
  }

  /** Filler text that the model cuts into exactly {@code chunks} passages under these settings. */
  static String ofChunks(int chunks, ChunkSettings settings) {
    for (int words = 5; ; words += 3) {
      String text = filler(words, chunks);
      int n = model.passages(text, settings.maxTokens(), settings.overlapTokens()).size();
      if (n == chunks) {
        return text;
      }
      if (n > chunks) {
        throw new IllegalStateException("no filler of exactly " + chunks + " passages");
      }
    }
  }

  @Test
  void theGardenShedKeyInTheLastSentenceOfALongMemoryIsTheTopHit() throws Exception {
    try (MilvusVectorStore store = store("shed")) {
      String longMemory = filler(400, 1)
          + "The spare key to the garden shed is hidden under the blue flower pot by the back door.";
      List<Outcome> outcomes = writer(store, ChunkSettings.defaults()).write(List.of(
          upsert(0, "long", longMemory),
          upsert(1, "car", "My car keys are usually on the hook in the hallway.")));
      assertThat(outcomes).containsOnly(Outcome.STORED);
      List<Hit> hits = search(store, "where is the garden shed key hidden", 2);
      assertThat(hits.get(0).id()).as("hits %s", hits.stream().map(h -> h.id() + " " + h.score() + " chunk "
          + h.chunkIndex() + "/" + h.chunkCount() + " [" + h.spanStart() + "," + h.spanEnd() + ")").toList())
          .isEqualTo("long");
      assertThat(hits.get(0).passage()).contains("garden shed").isEqualTo(
          longMemory.substring(hits.get(0).spanStart(), hits.get(0).spanEnd()));
      assertThat(hits.get(0).text()).isEqualTo(longMemory);
      assertThat(hits.get(0).chunkCount()).isGreaterThan(1);
      assertThat(hits.get(0).truncated()).isFalse();
    }
  }

  @Test
  void aFactInTheLastWindowOfA2000TokenMemoryIsFound() throws Exception {
    try (MilvusVectorStore store = store("longfact")) {
      String text = filler(1900, 2) + " The locker combination is 4471 and only Priya knows it.";
      assertThat(model.countTokens(text)).isGreaterThan(2000);
      List<WriteRequest> requests = new ArrayList<>();
      requests.add(upsert(0, "doc", text));
      for (int i = 0; i < 5; i++) {
        requests.add(upsert(i + 1, "other" + i, filler(300, 10 + i)));
      }
      assertThat(writer(store, ChunkSettings.defaults()).write(requests)).containsOnly(Outcome.STORED);
      Hit top = search(store, "what is the locker combination", 3).get(0);
      assertThat(top.id()).isEqualTo("doc");
      assertThat(top.chunkIndex()).isEqualTo(top.chunkCount() - 1);
      assertThat(top.passage()).contains("4471");
    }
  }

  @Test
  void anUpdateToFewerChunksLeavesNoStaleChunkAndATombstoneLeavesNone() throws Exception {
    try (MilvusVectorStore store = store("updates"); MemoryStore raw = raw("updates")) {
      ChunkSettings small = new ChunkSettings(32, 0, 64, ChunkSettings.Overflow.TRUNCATE);
      IngestWriter writer = writer(store, small);
      writer.write(List.of(upsert(0, "m", ofChunks(10, small))));
      assertThat(raw.countChunks("m")).isEqualTo(10);
      writer.write(List.of(upsert(1, "m", ofChunks(2, small))));
      assertThat(raw.countChunks("m")).isEqualTo(2);
      writer.write(List.of(new WriteRequest.Delete("m", new Source("memories", 0, 2, 1000L))));
      assertThat(raw.countChunks("m")).isZero();
    }
  }

  @Test
  void aCrashBetweenTheNewChunksAndTheStaleDeleteIsRepairedByTheReplay() throws Exception {
    try (MilvusVectorStore real = store("crash"); MemoryStore raw = raw("crash")) {
      ChunkSettings small = new ChunkSettings(32, 0, 64, ChunkSettings.Overflow.TRUNCATE);
      writer(real, small).write(List.of(upsert(0, "m", ofChunks(10, small))));
      assertThat(raw.countChunks("m")).isEqualTo(10);
      // the "task" dies after upserting the 2 new chunks, before the stale ones are deleted (every try): nothing
      // is committed
      AtomicBoolean crash = new AtomicBoolean(true);
      VectorStore dying = new ForwardingStore(real) {
        @Override
        public void delete(java.util.Collection<String> ids) {
          if (crash.get()) {
            throw new TransientStoreException("connection reset (task killed)", null);
          }
          super.delete(ids);
        }
      };
      List<Outcome> first = writer(dying, new ChunkSettings(32, 0, 64, ChunkSettings.Overflow.TRUNCATE)).write(
          List.of(upsert(1, "m", ofChunks(2, small))));
      assertThat(first.get(0)).isInstanceOf(Outcome.Unavailable.class); // offset not committed
      assertThat(raw.countChunks("m")).as("the memory is never lost: new chunks and stale ones").isEqualTo(10);
      // the restarted task replays the uncommitted record with a fresh writer
      assertThat(writer(real, small).write(List.of(upsert(1, "m", ofChunks(2, small))))).containsOnly(Outcome.STORED);
      assertThat(raw.countChunks("m")).isEqualTo(2);
    }
  }

  @Test
  void aCrashAfterTheStaleDeleteBeforeChunkZeroIsRepairedByTheReplay() throws Exception {
    try (MilvusVectorStore real = store("crash0"); MemoryStore raw = raw("crash0")) {
      ChunkSettings small = new ChunkSettings(32, 0, 64, ChunkSettings.Overflow.TRUNCATE);
      writer(real, small).write(List.of(upsert(0, "m", ofChunks(10, small))));
      // the task dies after the stale passages are deleted, before chunk 0 (which names them) is rewritten
      AtomicBoolean crash = new AtomicBoolean(true);
      VectorStore dying = new ForwardingStore(real) {
        @Override
        public void upsert(List<dev.tier0.milvus.StoredMemory> rows) {
          if (crash.get() && rows.stream().anyMatch(r -> r.chunk().index() == 0)) {
            throw new TransientStoreException("connection reset (task killed)", null);
          }
          super.upsert(rows);
        }
      };
      List<Outcome> first = writer(dying, small).write(List.of(upsert(1, "m", ofChunks(2, small))));
      assertThat(first.get(0)).isInstanceOf(Outcome.Unavailable.class);
      assertThat(raw.countChunks("m")).as("old chunk 0 and the new chunk 1: the memory keeps rows").isEqualTo(2);
      assertThat(writer(real, small).write(List.of(upsert(1, "m", ofChunks(2, small))))).containsOnly(Outcome.STORED);
      assertThat(raw.countChunks("m")).isEqualTo(2);
      assertThat(search(real, ofChunks(2, small).substring(0, 40), 1).get(0).chunkCount()).isEqualTo(2);
      writer(real, small).write(List.of(new WriteRequest.Delete("m", new Source("memories", 0, 2, 1000L))));
      assertThat(raw.countChunks("m")).isZero();
    }
  }

  @Test
  void topKCountsMemoriesNotChunks() throws Exception {
    try (MilvusVectorStore store = store("grouping")) {
      List<WriteRequest> requests = new ArrayList<>();
      for (int m = 0; m < 5; m++) {
        StringBuilder text = new StringBuilder();
        for (int c = 0; c < 10; c++) {
          text.append("Volcano eruption report ").append(m).append('.').append(c)
              .append(": lava flows and ash clouds near the summit crater. ");
        }
        requests.add(upsert(m, "volcano" + m, text.toString()));
      }
      requests.add(upsert(9, "other", "Shopping list: milk, eggs, bread."));
      assertThat(writer(store, new ChunkSettings(24, 0, 64, ChunkSettings.Overflow.TRUNCATE)).write(requests))
          .containsOnly(Outcome.STORED);
      List<Hit> hits = search(store, "lava flows from the volcano", 3);
      assertThat(hits).hasSize(3);
      assertThat(hits.stream().map(Hit::id).distinct()).hasSize(3).allMatch(id -> id.startsWith("volcano"));
      assertThat(hits).allSatisfy(h -> assertThat(h.chunkCount()).isGreaterThanOrEqualTo(10));
    }
  }

  @Test
  void cjkTextAndA65000CharacterRunAreFoundByTheirOwnPassage() throws Exception {
    try (MilvusVectorStore store = store("cjk")) {
      String cjk = "花园小屋的备用钥匙藏在后门旁边的蓝色花盆下面。".repeat(3)
          + "今天的会议讨论了明年的预算和新员工的培训计划。".repeat(30);
      StringBuilder run = new StringBuilder();
      Random r = new Random(5);
      while (run.length() < 65_000) {
        run.append((char) ('a' + r.nextInt(26)));
      }
      String longRun = run.toString();
      assertThat(writer(store, ChunkSettings.defaults()).write(List.of(upsert(0, "cjk", cjk),
          upsert(1, "run", longRun), upsert(2, "en", "A note in English about the weather."))))
          .containsOnly(Outcome.STORED);
      List<Hit> cjkHits = search(store, "今天的会议讨论了明年的预算和新员工的培训计划。", 1);
      assertThat(cjkHits.get(0).id()).isEqualTo("cjk");
      assertThat(cjkHits.get(0).text()).isEqualTo(cjk);
      List<Hit> runHits = search(store, longRun.substring(30_000, 30_200), 1);
      assertThat(runHits.get(0).id()).isEqualTo("run");
      assertThat(runHits.get(0).chunkCount()).isGreaterThan(1);
      assertThat(runHits.get(0).truncated()).as("65,000 letters need more than 128 passages of 64 tokens").isTrue();
    }
  }

  @Test
  void aReplayOfUnchangedTextRunsNoEmbeddingAndStillUpdatesTheRows() throws Exception {
    try (MilvusVectorStore store = store("replay"); MemoryStore raw = raw("replay")) {
      ChunkSettings small = new ChunkSettings(32, 0, 64, ChunkSettings.Overflow.TRUNCATE);
      String text = ofChunks(10, small);
      writer(store, small).write(List.of(upsert(0, "m", text), upsert(1, "short", "a short note")));
      CountingEmbedder counting = new CountingEmbedder(model);
      IngestWriter replaying = new IngestWriter(counting, store, WriteLimits.defaults(), QUICK, small);
      // the same records again (a replay), with a new offset: nothing to embed, rows rewritten
      PreparedBatch replay = replaying.prepare(List.of(upsert(5, "m", text), upsert(6, "short", "a short note")));
      replaying.store(replay);
      assertThat(counting.embedded()).as("passages embedded for a replay").isZero();
      assertThat(replay.reused()).isEqualTo(2);
      assertThat(replay.outcomes()).containsOnly(Outcome.STORED);
      assertThat(raw.countChunks("m")).isEqualTo(10);
      Hit hit = search(store, text.substring(0, 60), 1).get(0);
      assertThat(hit.id()).isEqualTo("m");
      // a changed text, or other chunk settings, is embedded again
      replaying.write(List.of(upsert(7, "short", "a short note, edited")));
      assertThat(counting.embedded()).isEqualTo(1);
      new IngestWriter(counting, store, WriteLimits.defaults(), QUICK,
          new ChunkSettings(48, 0, 64, ChunkSettings.Overflow.TRUNCATE)).write(List.of(upsert(8, "m", text)));
      assertThat(counting.embedded()).isGreaterThan(1);
      assertThat(raw.countChunks("m")).isLessThan(10);
    }
  }

  @Test
  void aMetadataOnlyChangeRunsNoEmbeddingAndEveryPassageGetsTheNewMetadata() throws Exception {
    try (MilvusVectorStore store = store("metaonly"); MemoryStore raw = raw("metaonly")) {
      ChunkSettings small = new ChunkSettings(32, 0, 64, ChunkSettings.Overflow.TRUNCATE);
      String text = ofChunks(6, small);
      List<WriteRequest> first = new ArrayList<>();
      List<WriteRequest> changed = new ArrayList<>();
      first.add(upsert(0, "long", text, Map.of("kind", "note", "rev", 1L)));
      changed.add(upsert(100, "long", text, Map.of("kind", "task", "rev", 2L)));
      for (int i = 0; i < 20; i++) {
        String shortText = "short memory number " + i + " about " + filler(6, 100 + i);
        first.add(upsert(i + 1, "s" + i, shortText, Map.of("kind", "note", "rev", 1L)));
        changed.add(upsert(i + 101, "s" + i, shortText, Map.of("kind", "task", "rev", 2L)));
      }
      CountingEmbedder counting = new CountingEmbedder(model);
      IngestWriter writer = new IngestWriter(counting, store, WriteLimits.defaults(), QUICK, small);
      assertThat(writer.write(first)).containsOnly(Outcome.STORED);
      assertThat(counting.embedded()).as("6 passages + 20 short memories").isEqualTo(26);

      counting.reset();
      PreparedBatch replay = writer.prepare(first);
      writer.store(replay);
      assertThat(counting.embedded()).as("texts embedded for a replay of the same records").isZero();
      assertThat(replay.reused()).isEqualTo(21);

      PreparedBatch update = writer.prepare(changed);
      writer.store(update);
      assertThat(update.outcomes()).containsOnly(Outcome.STORED);
      assertThat(counting.embedded()).as("texts embedded for a metadata-only change").isZero();
      assertThat(update.reused()).isEqualTo(21);
      assertThat(raw.countChunks("long")).isEqualTo(6);
      // every passage of the long memory carries the new metadata: search with each passage's own stored vector
      for (var stored : raw.storedRows(java.util.stream.IntStream.range(0, 6).mapToObj(c -> Chunk.rowId("long", c))
          .toList())) {
        Hit hit = store.search(new SearchQuery(stored.vector(), "t", 1, Map.of(), 0, null)).get(0);
        assertThat(hit.id()).isEqualTo("long");
        assertThat(hit.chunkIndex()).isEqualTo(stored.index());
        assertThat(hit.metadata()).as("passage %d", stored.index()).containsEntry("kind", "task");
        assertThat(((Number) hit.metadata().get("rev")).longValue()).isEqualTo(2L);
      }
      Hit shortHit = search(store, "short memory number 7 about " + filler(6, 107), 1).get(0);
      assertThat(shortHit.id()).isEqualTo("s7");
      assertThat(shortHit.metadata()).containsEntry("kind", "task");
    }
  }

  @Test
  void pastTheLimitAMemoryIsRejectedWithTheReasonWhenConfigured() throws Exception {
    try (MilvusVectorStore store = store("limit")) {
      List<Outcome> outcomes = writer(store, new ChunkSettings(32, 0, 3, ChunkSettings.Overflow.REJECT))
          .write(List.of(upsert(0, "big", filler(200, 6)), upsert(1, "small", "short")));
      assertThat(outcomes.get(0)).isInstanceOf(Outcome.Rejected.class);
      assertThat(((Outcome.Rejected) outcomes.get(0)).reason()).contains("chunk.max.per.memory");
      assertThat(outcomes.get(1)).isEqualTo(Outcome.STORED);
    }
  }
}
