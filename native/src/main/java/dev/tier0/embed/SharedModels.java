package dev.tier0.embed;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One loaded model per JVM per (canonical model directory, options): connector tasks and stream threads that ask
 * for the same model share one ORT session. Handles are reference counted; the native session and tokenizer are
 * released when the last handle closes. Loading happens under the registry lock, so two concurrent first
 * acquires still load once.
 */
public final class SharedModels {
  private static final Object LOCK = new Object();
  private static final Map<Key, Entry> MODELS = new HashMap<>();
  private static final AtomicInteger LOADS = new AtomicInteger();

  private SharedModels() {}

  private record Key(Path canonicalDir, EngineOptions options) {}

  private static final class Entry {
    final OnnxEmbeddingEngine engine;
    int references;

    Entry(OnnxEmbeddingEngine engine) {
      this.engine = engine;
    }
  }

  /** A handle on the shared model for this directory and options; close it when done. */
  public static EmbeddingEngine acquire(Path modelDir, EngineOptions options) {
    Key key = new Key(canonical(modelDir), options);
    synchronized (LOCK) {
      Entry entry = MODELS.get(key);
      if (entry == null) {
        entry = new Entry(new OnnxEmbeddingEngine(key.canonicalDir(), options));
        LOADS.incrementAndGet();
        MODELS.put(key, entry);
      }
      entry.references++;
      return new Handle(key, entry.engine);
    }
  }

  /** How many models were ever loaded in this JVM (a test hook for "two users, one load"). */
  public static int loadCount() {
    return LOADS.get();
  }

  /** How many models are loaded right now. */
  public static int openCount() {
    synchronized (LOCK) {
      return MODELS.size();
    }
  }

  /**
   * ORT runs per graph of every model loaded right now in this JVM (this class loader: one Connect plugin), keyed
   * {@code "<model name>/<graph file>"} (e.g. {@code "qwen3-embedding-4b/graphs/b8-s32.onnx"}), summed over the
   * option sets a model is loaded with. Counts start when a model loads and vanish when it is released.
   */
  public static Map<String, Long> graphRuns() {
    List<OnnxEmbeddingEngine> engines;
    synchronized (LOCK) {
      engines = MODELS.values().stream().map(e -> e.engine).toList();
    }
    Map<String, Long> runs = new java.util.TreeMap<>();
    for (OnnxEmbeddingEngine engine : engines) {
      String model = engine.spec().name();
      engine.graphRuns().forEach((graph, n) -> runs.merge(model + "/" + graph, n, Long::sum));
    }
    return runs;
  }

  private static void release(Key key) {
    OnnxEmbeddingEngine toClose = null;
    synchronized (LOCK) {
      Entry entry = MODELS.get(key);
      if (entry != null && --entry.references == 0) {
        MODELS.remove(key);
        toClose = entry.engine;
      }
    }
    if (toClose != null) {
      toClose.close();
    }
  }

  private static Path canonical(Path dir) {
    try {
      return dir.toRealPath();
    } catch (IOException e) {
      throw new EmbeddingException("model directory " + dir + " is not accessible", e);
    }
  }

  /** A reference on a shared model; closing it twice is harmless, using it after close is an error. */
  static final class Handle implements EmbeddingEngine {
    private final Key key;
    private final OnnxEmbeddingEngine engine;
    private final AtomicBoolean closed = new AtomicBoolean();

    Handle(Key key, OnnxEmbeddingEngine engine) {
      this.key = key;
      this.engine = engine;
    }

    /** The shared engine behind this handle (tests look at its token budget). */
    OnnxEmbeddingEngine engine() {
      return engine;
    }

    @Override
    public ModelSpec spec() {
      return engine.spec();
    }

    @Override
    public int dimension() {
      return engine.spec().outputDimension();
    }

    @Override
    public String modelName() {
      return engine.spec().name();
    }

    @Override
    public List<Embedding> embedDocuments(List<String> texts) {
      return open().embedDocuments(texts);
    }

    @Override
    public Embedding embedQuery(String query) {
      return open().embedQuery(query);
    }

    @Override
    public int countTokens(String text) {
      return open().countTokens(text);
    }

    @Override
    public List<Embedding> embedPassages(List<Passage> passages) {
      return open().embedPassages(passages);
    }

    @Override
    public List<Passage> passages(String text, int maxTokens, int overlapTokens) {
      return open().passages(text, maxTokens, overlapTokens);
    }

    @Override
    public Map<String, Long> graphRuns() {
      return engine.graphRuns();
    }

    @Override
    public Map<String, Long> graphRows() {
      return engine.graphRows();
    }

    private OnnxEmbeddingEngine open() {
      if (closed.get()) {
        throw new IllegalStateException("this handle on model " + engine.spec().name() + " is closed");
      }
      return engine;
    }

    @Override
    public void close() {
      if (closed.compareAndSet(false, true)) {
        release(key);
      }
    }
  }
}
