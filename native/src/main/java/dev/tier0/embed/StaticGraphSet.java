package dev.tier0.embed;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A multi-graph (CoreML-target) directory: one session per static graph ({@code graphs} in the spec), all opened,
 * checked against the spec and (on CoreML) compiled and warmed at load, each with its own CoreML cache
 * subdirectory. A batch runs on the graph {@link GraphChoice} picks; the engine gathers {@code inputs_embeds} from
 * the memory-mapped {@link TokenEmbeddingTable} (pad positions carry the pad id's row), builds the float
 * {@code attention_mask} (1 real, 0 pad), fills missing rows with all-pad rows (mask all 0) and drops them from the
 * result. Hidden states are pooled in Java like a single-graph model; with {@code pooled_output: "embedding"} the
 * graph's {@code embedding} [batch, dimension] is used as it is.
 *
 * <p>With {@link EngineOptions#shareWeights()} (the default) the sessions do not each load the weights the graphs
 * share on disk: {@link SharedWeights} maps them once and every session uses those tensors in place, with ORT's
 * pre-packing off. On CoreML the provider still converts the weights of the nodes it takes into each graph's
 * compiled model (its own cache subdirectory); that copy is CoreML's and is not shared (untested here: no Mac).
 */
final class StaticGraphSet implements GraphRunner {
  private static final Logger LOG = LoggerFactory.getLogger(StaticGraphSet.class);
  private static final short HALF_ONE = 0x3C00; // 1.0 in IEEE binary16

  private record Loaded(OrtSession session, SpecGraphCheck.StaticInputs inputs) {}

  private final ModelSpec spec;
  private final OrtEnvironment env;
  private final GraphChoice choice;
  private final TokenEmbeddingTable table;
  private final Map<ModelSpec.StaticGraph, Loaded> graphs = new LinkedHashMap<>();
  private final Set<String> requestedOutputs;
  private final ExecutionProvider provider;
  private final GraphRuns runs;
  private final SharedWeights weights;

  /** Maps the table, opens and checks every graph, warms each on CoreML; closes what it opened if one fails. */
  StaticGraphSet(ModelSpec spec, Path modelDir, EngineOptions options, OrtEnvironment env, GraphRuns runs) {
    this.spec = spec;
    this.env = env;
    this.runs = runs;
    this.choice = new GraphChoice(spec.graphs());
    this.table = TokenEmbeddingTable.map(modelDir.resolve(spec.tokenEmbeddings().file()), spec.tokenEmbeddings());
    this.requestedOutputs = spec.pooledOutput() == ModelSpec.PooledOutput.EMBEDDING
        ? Set.of(SpecGraphCheck.EMBEDDING) : new LinkedHashSet<>(spec.pooledOutputs());
    ExecutionProvider first = null;
    // one mapped copy of graphs/weights.bin for all the sessions (EngineOptions.shareWeights)
    this.weights = options.shareWeights() ? SharedWeights.map(env,
        spec.graphs().stream().map(g -> modelDir.resolve(g.file())).toList()) : null;
    if (weights != null) {
      LOG.info("{}: {} weight tensors ({} MiB) memory-mapped once for {} graphs", spec.name(), weights.tensorCount(),
          weights.bytes() >> 20, spec.graphs().size());
    }
    try {
      EngineOptions graphOptions = options;
      for (ModelSpec.StaticGraph graph : spec.graphs()) {
        Path file = modelDir.resolve(graph.file());
        SessionFactory.Created created = SessionFactory.create(env, file, graphOptions,
            CoreMlOptions.cacheDir(options, modelDir, graph), shared(file));
        graphs.put(graph, new Loaded(created.session(), null)); // registered first so a failed check closes it
        graphs.put(graph, new Loaded(created.session(), SpecGraphCheck.checkStatic(spec, graph,
            created.session().getInputInfo(), created.session().getOutputInfo())));
        if (first == null) {
          // the first graph settles the provider (AUTO, or a fallback to CPU); the others follow it
          first = created.provider();
          graphOptions = options.toBuilder().provider(first).build();
        }
      }
      warmUp(first);
    } catch (OrtException | RuntimeException e) {
      closeAll(e);
      throw e instanceof EmbeddingException ee ? ee : new EmbeddingException("cannot load model " + modelDir, e);
    }
    this.provider = first;
  }

  /** The shared tensors of one graph, pre-packing off; a graph with no external weights keeps ORT's defaults. */
  private SessionFactory.Shared shared(Path graphFile) {
    if (weights == null || weights.forGraph(graphFile).isEmpty()) {
      return SessionFactory.Shared.NONE;
    }
    return new SessionFactory.Shared(weights.forGraph(graphFile), false);
  }

  @Override
  public BatchShape shape() {
    return choice;
  }

  @Override
  public ExecutionProvider provider() {
    return provider;
  }

  @Override
  public float[][] run(List<long[]> ids) {
    int longest = 0;
    for (long[] row : ids) {
      longest = Math.max(longest, row.length);
    }
    ModelSpec.StaticGraph graph = choice.pick(ids.size(), longest);
    float[][] vectors = run(graph, ids);
    runs.record(graph.file(), ids.size());
    LOG.debug("{}: {} rows (longest {} tokens) on graph {}", spec.name(), ids.size(), longest, graph);
    return vectors;
  }

  private float[][] run(ModelSpec.StaticGraph graph, List<long[]> ids) {
    int rows = ids.size();
    int batch = graph.batch();
    int seq = graph.sequence();
    List<long[]> filled = new ArrayList<>(ids);
    while (filled.size() < batch) {
      filled.add(new long[0]); // an all-pad row: pad ids, mask all 0
    }
    PaddedBatch padded = PaddedBatch.of(filled, seq, ModelSpec.PaddingSide.RIGHT, spec.padTokenId());
    Loaded loaded = graphs.get(graph);
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try {
      inputs.put(SpecGraphCheck.INPUTS_EMBEDS, inputsEmbeds(padded.inputIds(), loaded.inputs().inputsEmbeds(),
          new long[] {batch, seq, table.dim()}));
      inputs.put(SpecGraphCheck.ATTENTION_MASK, mask(padded.attentionMask(), loaded.inputs().attentionMask(),
          new long[] {batch, seq}));
      try (OrtSession.Result result = loaded.session().run(inputs, requestedOutputs)) {
        if (spec.pooledOutput() == ModelSpec.PooledOutput.EMBEDDING) {
          float[] pooled = OutputTensors.readFloats(result.get(SpecGraphCheck.EMBEDDING), SpecGraphCheck.EMBEDDING);
          float[][] out = new float[rows][];
          for (int r = 0; r < rows; r++) {
            out[r] = Arrays.copyOfRange(pooled, r * spec.dimension(), (r + 1) * spec.dimension());
          }
          return out;
        }
        // only the real rows are pooled: fill rows have no real token
        int real = rows * seq * spec.dimension();
        List<float[]> layers = new ArrayList<>(requestedOutputs.size());
        for (String name : requestedOutputs) {
          float[] layer = OutputTensors.readFloats(result.get(name), name);
          layers.add(rows == batch ? layer : Arrays.copyOf(layer, real));
        }
        long[] mask = rows == batch ? padded.attentionMask() : Arrays.copyOf(padded.attentionMask(), rows * seq);
        return Pooler.pool(layers, mask, rows, seq, spec.dimension(), spec.pooling());
      }
    } catch (OrtException e) {
      throw new EmbeddingException("ONNX Runtime failed on graph '" + graph.file() + "' with " + rows + " of "
          + batch + " rows (model " + spec.name() + ")", e);
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }

  /** One table row per position, in the graph input's element type. */
  private OnnxTensor inputsEmbeds(long[] ids, OnnxJavaType type, long[] shape) throws OrtException {
    int dim = table.dim();
    if (type == OnnxJavaType.FLOAT16) {
      short[] values = new short[ids.length * dim];
      for (int p = 0; p < ids.length; p++) {
        table.copyRowAsHalf(ids[p], values, p * dim);
      }
      return OnnxTensor.createTensor(env, ShortBuffer.wrap(values), shape, OnnxJavaType.FLOAT16);
    }
    float[] values = new float[ids.length * dim];
    for (int p = 0; p < ids.length; p++) {
      table.copyRowAsFloat(ids[p], values, p * dim);
    }
    return OnnxTensor.createTensor(env, FloatBuffer.wrap(values), shape);
  }

  private OnnxTensor mask(long[] mask, OnnxJavaType type, long[] shape) throws OrtException {
    if (type == OnnxJavaType.FLOAT16) {
      short[] values = new short[mask.length];
      for (int i = 0; i < mask.length; i++) {
        values[i] = mask[i] == 1 ? HALF_ONE : 0;
      }
      return OnnxTensor.createTensor(env, ShortBuffer.wrap(values), shape, OnnxJavaType.FLOAT16);
    }
    float[] values = new float[mask.length];
    for (int i = 0; i < mask.length; i++) {
      values[i] = mask[i];
    }
    return OnnxTensor.createTensor(env, FloatBuffer.wrap(values), shape);
  }

  /** CoreML compiles each graph on its first run: do it now, once per graph, instead of on the first request. */
  private void warmUp(ExecutionProvider actual) {
    if (actual != ExecutionProvider.COREML) {
      return;
    }
    for (ModelSpec.StaticGraph graph : graphs.keySet()) {
      long start = System.nanoTime();
      run(graph, List.of(new long[] {spec.padTokenId()}));
      LOG.info("warm-up of {} graph {} took {} ms", spec.name(), graph, (System.nanoTime() - start) / 1_000_000);
    }
  }

  private void closeAll(Exception primary) {
    for (Loaded loaded : graphs.values()) {
      try {
        loaded.session().close();
      } catch (OrtException e) {
        primary.addSuppressed(e);
      }
    }
    if (weights != null) {
      weights.close(); // after the sessions that use its tensors
    }
  }

  @Override
  public void close() {
    EmbeddingException failure = null;
    for (Map.Entry<ModelSpec.StaticGraph, Loaded> e : graphs.entrySet()) {
      try {
        e.getValue().session().close();
      } catch (OrtException closing) {
        if (failure == null) {
          failure = new EmbeddingException("cannot close the ONNX Runtime session of " + spec.name() + " graph '"
              + e.getKey().file() + "'", closing);
        } else {
          failure.addSuppressed(closing);
        }
      }
    }
    if (weights != null) {
      weights.close(); // after the sessions that use its tensors
    }
    if (failure != null) {
      throw failure;
    }
  }
}
