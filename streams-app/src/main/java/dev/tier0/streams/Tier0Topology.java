package dev.tier0.streams;

import dev.tier0.ingest.Embedder;
import dev.tier0.ingest.IngestWriter;
import dev.tier0.ingest.VectorStore;
import dev.tier0.memory.MemoryMapper;
import dev.tier0.streams.format.WireFormats;
import dev.tier0.streams.ingest.EmbedThreads;
import dev.tier0.streams.ingest.IngestProcessor;
import dev.tier0.streams.ingest.IngestSettings;
import dev.tier0.streams.ingest.PendingRecordSerde;
import dev.tier0.streams.search.ReplyRouting;
import dev.tier0.streams.search.SearchProcessor;
import dev.tier0.streams.search.SearchSettings;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The app's two independent sub-topologies, built with the Processor API because both park records in a
 * changelogged store until their batch is flushed:
 * <pre>
 * ingest topic   -> ingest-source -> ingest (map, check, park; flush: the shared IngestWriter) [-> dead letters]
 * request topic  -> search-source -> search (park, flush: validate, embed, search)      -> reply topics
 * </pre>
 * Either side is left out when its settings are null. The app builds each side alone and runs it in its own
 * Kafka Streams instance (so a search never waits behind an ingest flush on one stream thread); tests may build
 * both into one topology.
 */
public final class Tier0Topology {
  public static final String INGEST_SOURCE = "ingest-source";
  public static final String INGEST = "ingest";
  public static final String SEARCH_SOURCE = "search-source";
  public static final String SEARCH = "search";
  public static final String REPLY_SINK = "search-replies";

  private Tier0Topology() {}

  public static Topology build(IngestSettings ingest, MemoryMapper mapper, SearchSettings search, Embedder embedder,
                               VectorStore index, AppMetrics metrics) {
    return build(ingest, mapper, search, embedder, index, metrics, WireFormats.JSON);
  }

  /** The same, with the topics' value formats (JSON, plain string, or Avro through a Schema Registry). */
  public static Topology build(IngestSettings ingest, MemoryMapper mapper, SearchSettings search, Embedder embedder,
                               VectorStore index, AppMetrics metrics, WireFormats formats) {
    return build(ingest, mapper, search, embedder, index, metrics, formats, ThreadMembership.unbound());
  }

  /**
   * The same, with the flushes asking {@code membership} before each store call: ingest whether its thread still
   * owns its tasks, both how long ago it polled (bind it to the Kafka Streams instance that runs this topology).
   */
  public static Topology build(IngestSettings ingest, MemoryMapper mapper, SearchSettings search, Embedder embedder,
                               VectorStore index, AppMetrics metrics, WireFormats formats,
                               ThreadMembership membership) {
    if (ingest == null && search == null) {
      throw new IllegalArgumentException("nothing to run: neither an ingest topic nor a search request topic is set");
    }
    Topology topology = new Topology();
    if (ingest != null) {
      addIngest(topology, ingest, mapper, embedder, index, metrics, formats, membership);
    }
    if (search != null) {
      addSearch(topology, search, embedder, index, metrics, formats, membership);
    }
    return topology;
  }

  private static void addIngest(Topology topology, IngestSettings settings, MemoryMapper mapper, Embedder embedder,
                                VectorStore index, AppMetrics metrics, WireFormats formats,
                                ThreadMembership membership) {
    topology.addSource(INGEST_SOURCE, formats.ingestKeys().get(), formats.ingestValues().get(), settings.topic());
    IngestWriter writer = new IngestWriter(embedder, index, settings.limits(), settings.retry(),
        settings.chunking());
    EmbedThreads embedThreads = settings.prepareAhead() ? new EmbedThreads() : null;
    topology.addProcessor(INGEST, () -> new IngestProcessor(settings, mapper, embedder, writer, metrics, membership,
        embedThreads), INGEST_SOURCE);
    // In memory with a changelog: the changelog is what survives a crash; the store holds at most a few batches.
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(IngestProcessor.STORE),
        Serdes.String(), new PendingRecordSerde()), INGEST);
    if (settings.deadLetterTopic() != null) {
      topology.addSink(IngestProcessor.DEAD_LETTER_SINK, settings.deadLetterTopic(), new ByteArraySerializer(),
          new ByteArraySerializer(), INGEST);
    }
  }

  private static void addSearch(Topology topology, SearchSettings settings, Embedder embedder, VectorStore index,
                                AppMetrics metrics, WireFormats formats, ThreadMembership membership) {
    topology.addSource(SEARCH_SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(),
        settings.requestTopic());
    topology.addProcessor(SEARCH, () -> new SearchProcessor(settings, formats.requests(), embedder, index, metrics,
        membership),
        SEARCH_SOURCE);
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(SearchProcessor.STORE),
        Serdes.Long(), Serdes.ByteArray()), SEARCH);
    topology.addSink(REPLY_SINK, ReplyRouting.topic(), new ByteArraySerializer(),
        ReplyRouting.valueSerializer(formats.replies()), ReplyRouting.partitioner(), SEARCH);
  }
}
