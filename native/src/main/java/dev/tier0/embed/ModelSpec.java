package dev.tier0.embed;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The model spec, {@code tier0-model.json} in a model directory: which graph outputs to pool and how. Every field
 * is validated here; {@link SpecGraphCheck} then checks it against the loaded graph.
 *
 * <p>A multi-graph (CoreML-target) directory also has {@code graphs} (static-shape graphs, one per batch size x
 * sequence length), {@code token_embeddings} (the token-embedding table the engine gathers rows from, since the
 * graphs take {@code inputs_embeds}) and {@code pooled_output}; see the contract in native/README.md. Without
 * {@code graphs}, {@link #graphs()} is empty, {@link #tokenEmbeddings()} and {@link #pooledOutput()} are null, and
 * the directory is today's single-graph one ({@code model_file}).
 */
public record ModelSpec(
    String name,
    int dimension,
    List<String> outputs,
    Pooling pooling,
    int lastN,
    int maxLength,
    Padding padding,
    List<Integer> buckets,
    PaddingSide paddingSide,
    long padTokenId,
    Dtype dtype,
    String queryTemplate,
    Integer mrlDimension,
    String modelFile,
    String tokenizerFile,
    List<StaticGraph> graphs,
    TokenEmbeddings tokenEmbeddings,
    PooledOutput pooledOutput) {

  public static final String FILE_NAME = "tier0-model.json";
  public static final String QUERY_PLACEHOLDER = "{query}";
  static final List<Integer> DEFAULT_BUCKETS = List.of(32, 64, 128, 256, 512);
  private static final Set<String> KNOWN_FIELDS = Set.of("name", "dimension", "outputs", "pooling", "last_n",
      "max_length", "padding", "buckets", "padding_side", "pad_token_id", "dtype", "query_template",
      "mrl_dimension", "model_file", "tokenizer_file", "graphs", "token_embeddings", "pooled_output");
  private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_JAVA_COMMENTS).build();

  public enum Pooling { MEAN, LAST_TOKEN, CLS }

  public enum Padding { FIXED, LONGEST, BUCKETS }

  public enum PaddingSide { RIGHT, LEFT }

  public enum Dtype {
    FLOAT32(4), FLOAT16(2);

    private final int bytes;

    Dtype(int bytes) {
      this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
      return bytes;
    }
  }

  /** What a multi-graph directory's graphs output: null = hidden states (pooled in Java), EMBEDDING = pooled. */
  public enum PooledOutput { EMBEDDING }

  /**
   * One static-shape graph: its file (relative to the model directory) takes {@code inputs_embeds}
   * [batch, sequence, token_embeddings.dim] and {@code attention_mask} [batch, sequence].
   */
  public record StaticGraph(String file, int batch, int sequence) {
    @Override
    public String toString() {
      return file + " (batch " + batch + ", sequence " + sequence + ")";
    }
  }

  /**
   * The token-embedding table: {@code file} holds raw little-endian, row-major [rows, dim] values of {@code dtype},
   * no header, so its size is exactly rows x dim x dtype bytes.
   */
  public record TokenEmbeddings(String file, Dtype dtype, long rows, int dim) {
    /** The file size this table must have, in bytes. */
    public long bytes() {
      return rows * dim * dtype.bytes();
    }
  }

  public ModelSpec {
    outputs = List.copyOf(outputs);
    buckets = List.copyOf(buckets);
    graphs = List.copyOf(graphs);
  }

  /** A single-graph spec (no {@code graphs}): today's directory layout. */
  public ModelSpec(String name, int dimension, List<String> outputs, Pooling pooling, int lastN, int maxLength,
                   Padding padding, List<Integer> buckets, PaddingSide paddingSide, long padTokenId, Dtype dtype,
                   String queryTemplate, Integer mrlDimension, String modelFile, String tokenizerFile) {
    this(name, dimension, outputs, pooling, lastN, maxLength, padding, buckets, paddingSide, padTokenId, dtype,
        queryTemplate, mrlDimension, modelFile, tokenizerFile, List.of(), null, null);
  }

  /** True for a multi-graph (CoreML-target) directory: {@code graphs} is present and model_file is ignored. */
  public boolean multiGraph() {
    return !graphs.isEmpty();
  }

  /**
   * Reads and validates {@code <modelDir>/tier0-model.json}; also checks the model (or every graph's) and tokenizer
   * files exist, and that the token-embedding table of a multi-graph directory has exactly rows x dim x dtype bytes.
   * @throws ModelSpecException naming the field at fault; EmbeddingException when the directory has no spec
   */
  public static ModelSpec read(Path modelDir) {
    Path file = modelDir.resolve(FILE_NAME);
    if (!Files.isRegularFile(file)) {
      throw new EmbeddingException("model directory " + modelDir + " has no " + FILE_NAME);
    }
    ModelSpec spec;
    try {
      spec = parse(Files.readString(file));
    } catch (IOException e) {
      throw new EmbeddingException("cannot read " + file, e);
    }
    if (spec.multiGraph()) {
      for (StaticGraph graph : spec.graphs()) {
        requireFile(modelDir, "graphs", graph.file());
      }
      TokenEmbeddings table = spec.tokenEmbeddings();
      requireFile(modelDir, "token_embeddings", table.file());
      long size;
      try {
        size = Files.size(modelDir.resolve(table.file()));
      } catch (IOException e) {
        throw new EmbeddingException("cannot read the size of " + modelDir.resolve(table.file()), e);
      }
      if (size != table.bytes()) {
        throw new ModelSpecException("token_embeddings", "file '" + table.file() + "' has " + size + " bytes but rows "
            + table.rows() + " x dim " + table.dim() + " x " + table.dtype().bytes() + " bytes ("
            + table.dtype().name().toLowerCase(Locale.ROOT) + ") = " + table.bytes());
      }
    } else {
      requireFile(modelDir, "model_file", spec.modelFile());
    }
    requireFile(modelDir, "tokenizer_file", spec.tokenizerFile());
    return spec;
  }

  /** Parses and validates a spec from JSON text; unknown keys and wrong values name the field at fault. */
  public static ModelSpec parse(String json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new ModelSpecException("(document)", "not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new ModelSpecException("(document)", "must be a JSON object");
    }
    Set<String> unknown = new TreeSet<>();
    root.fieldNames().forEachRemaining(f -> {
      if (!KNOWN_FIELDS.contains(f)) {
        unknown.add(f);
      }
    });
    if (!unknown.isEmpty()) {
      throw new ModelSpecException(unknown.iterator().next(), "unknown field (known: " + new TreeSet<>(KNOWN_FIELDS) + ")");
    }
    String name = requiredText(root, "name");
    int dimension = positiveInt(root, "dimension", null);
    List<String> outputs = outputs(root);
    Pooling pooling = enumValue(root, "pooling", Pooling.class, Pooling.MEAN);
    int lastN = positiveInt(root, "last_n", Math.min(4, outputs.size()));
    if (lastN > outputs.size()) {
      throw new ModelSpecException("last_n", "is " + lastN + " but \"outputs\" lists only " + outputs.size() + " entries");
    }
    int maxLength = positiveInt(root, "max_length", 32);
    Padding padding = enumValue(root, "padding", Padding.class, Padding.FIXED);
    List<Integer> buckets = buckets(root);
    PaddingSide side = enumValue(root, "padding_side", PaddingSide.class, PaddingSide.RIGHT);
    long padId = nonNegativeLong(root, "pad_token_id", 0);
    Dtype dtype = enumValue(root, "dtype", Dtype.class, Dtype.FLOAT32);
    String template = optionalText(root, "query_template");
    if (template != null && !template.contains(QUERY_PLACEHOLDER)) {
      throw new ModelSpecException("query_template", "must contain the placeholder " + QUERY_PLACEHOLDER);
    }
    Integer mrl = root.hasNonNull("mrl_dimension") ? positiveInt(root, "mrl_dimension", null) : null;
    if (mrl != null && mrl > dimension) {
      throw new ModelSpecException("mrl_dimension", "is " + mrl + " but must be <= dimension " + dimension);
    }
    String modelFile = relativeFile(root, "model_file", "model.onnx");
    String tokenizerFile = relativeFile(root, "tokenizer_file", "tokenizer.json");
    List<StaticGraph> graphs = graphs(root);
    TokenEmbeddings table = tokenEmbeddings(root);
    PooledOutput pooledOutput = root.hasNonNull("pooled_output")
        ? enumValue(root, "pooled_output", PooledOutput.class, null) : null;
    if (graphs.isEmpty()) {
      for (String field : new String[] {"token_embeddings", "pooled_output"}) {
        if (root.hasNonNull(field)) {
          throw new ModelSpecException(field, "is only valid with \"graphs\" (a multi-graph directory)");
        }
      }
    } else {
      checkMultiGraph(graphs, table, maxLength, padding, buckets, side);
    }
    return new ModelSpec(name, dimension, outputs, pooling, lastN, maxLength, padding, buckets, side, padId, dtype,
        template, mrl, modelFile, tokenizerFile, graphs, table, pooledOutput);
  }

  /** The rules a multi-graph spec adds: static shapes mean buckets = the graphs' sequences, right padding. */
  private static void checkMultiGraph(List<StaticGraph> graphs, TokenEmbeddings table, int maxLength, Padding padding,
                                      List<Integer> buckets, PaddingSide side) {
    if (table == null) {
      throw new ModelSpecException("token_embeddings", "is required with \"graphs\" (the graphs take inputs_embeds)");
    }
    if (padding != Padding.BUCKETS) {
      throw new ModelSpecException("padding", "must be \"buckets\" with \"graphs\", got \""
          + padding.name().toLowerCase(Locale.ROOT) + "\"");
    }
    if (side != PaddingSide.RIGHT) {
      throw new ModelSpecException("padding_side", "must be \"right\" with \"graphs\" (the graphs' positions are "
          + "the constants 0..sequence-1)");
    }
    TreeSet<Integer> sequences = new TreeSet<>();
    graphs.forEach(g -> sequences.add(g.sequence()));
    if (!buckets.equals(List.copyOf(sequences))) {
      throw new ModelSpecException("buckets", "is " + buckets + " but must be the graphs' distinct sequence lengths "
          + sequences);
    }
    if (maxLength != sequences.last()) {
      throw new ModelSpecException("max_length", "is " + maxLength + " but must be the longest graph sequence "
          + sequences.last());
    }
  }

  /** The outputs that are pooled: the last {@code last_n} of {@code outputs}. */
  public List<String> pooledOutputs() {
    return outputs.subList(outputs.size() - lastN, outputs.size());
  }

  /** Dimension of the vectors handed out: mrl_dimension when set, else dimension. */
  public int outputDimension() {
    return mrlDimension != null ? mrlDimension : dimension;
  }

  /** The bucket lengths in use: configured buckets below max_length, then max_length itself. */
  public List<Integer> effectiveBuckets() {
    TreeSet<Integer> in = new TreeSet<>();
    for (int b : buckets) {
      if (b < maxLength) {
        in.add(b);
      }
    }
    in.add(maxLength);
    return List.copyOf(in);
  }

  /** Applies query_template (if any) to a query. */
  public String formatQuery(String query) {
    return queryTemplate == null ? query : queryTemplate.replace(QUERY_PLACEHOLDER, query);
  }

  /** The spec as JSON, in the file format {@link #parse} reads. */
  public String toJson() {
    ObjectNode o = JSON.createObjectNode();
    o.put("name", name);
    o.put("dimension", dimension);
    ArrayNode outs = o.putArray("outputs");
    outputs.forEach(outs::add);
    o.put("pooling", pooling.name().toLowerCase(Locale.ROOT));
    o.put("last_n", lastN);
    o.put("max_length", maxLength);
    o.put("padding", padding.name().toLowerCase(Locale.ROOT));
    ArrayNode bs = o.putArray("buckets");
    buckets.forEach(bs::add);
    o.put("padding_side", paddingSide.name().toLowerCase(Locale.ROOT));
    o.put("pad_token_id", padTokenId);
    o.put("dtype", dtype.name().toLowerCase(Locale.ROOT));
    o.put("query_template", queryTemplate);
    if (mrlDimension == null) {
      o.putNull("mrl_dimension");
    } else {
      o.put("mrl_dimension", mrlDimension);
    }
    o.put("model_file", modelFile);
    o.put("tokenizer_file", tokenizerFile);
    if (multiGraph()) {
      ArrayNode gs = o.putArray("graphs");
      for (StaticGraph g : graphs) {
        gs.addObject().put("file", g.file()).put("batch", g.batch()).put("sequence", g.sequence());
      }
      o.putObject("token_embeddings").put("file", tokenEmbeddings.file())
          .put("dtype", tokenEmbeddings.dtype().name().toLowerCase(Locale.ROOT))
          .put("rows", tokenEmbeddings.rows()).put("dim", tokenEmbeddings.dim());
      if (pooledOutput == null) {
        o.putNull("pooled_output");
      } else {
        o.put("pooled_output", pooledOutput.name().toLowerCase(Locale.ROOT));
      }
    }
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise a spec", e);
    }
  }

  private static void requireFile(Path dir, String field, String file) {
    if (!Files.isRegularFile(dir.resolve(file))) {
      throw new ModelSpecException(field, "file '" + file + "' not found in " + dir);
    }
  }

  private static String requiredText(JsonNode root, String field) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      throw new ModelSpecException(field, "is required");
    }
    if (!n.isTextual() || n.asText().isBlank()) {
      throw new ModelSpecException(field, "must be a non-empty string, got " + n);
    }
    return n.asText();
  }

  private static String optionalText(JsonNode root, String field) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw new ModelSpecException(field, "must be a string or null, got " + n);
    }
    return n.asText();
  }

  private static String relativeFile(JsonNode root, String field, String fallback) {
    String f = root.has(field) || fallback == null ? requiredText(root, field) : fallback;
    Path p = Path.of(f).normalize();
    if (p.isAbsolute() || p.startsWith("..")) {
      throw new ModelSpecException(field, "must be a path inside the model directory, got '" + f + "'");
    }
    return f;
  }

  private static int positiveInt(JsonNode root, String field, Integer fallback) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      if (fallback == null) {
        throw new ModelSpecException(field, "is required");
      }
      return fallback;
    }
    if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 1) {
      throw new ModelSpecException(field, "must be a positive integer, got " + n);
    }
    return n.asInt();
  }

  private static long nonNegativeLong(JsonNode root, String field, long fallback) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      return fallback;
    }
    if (!n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < 0) {
      throw new ModelSpecException(field, "must be a non-negative integer, got " + n);
    }
    return n.asLong();
  }

  private static <E extends Enum<E>> E enumValue(JsonNode root, String field, Class<E> type, E fallback) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      return fallback;
    }
    List<String> allowed = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      allowed.add(e.name().toLowerCase(Locale.ROOT));
    }
    if (n.isTextual() && allowed.contains(n.asText())) {
      return Enum.valueOf(type, n.asText().toUpperCase(Locale.ROOT));
    }
    throw new ModelSpecException(field, "must be one of " + allowed + ", got " + n);
  }

  private static List<String> outputs(JsonNode root) {
    JsonNode n = root.get("outputs");
    if (n == null || n.isNull()) {
      throw new ModelSpecException("outputs", "is required");
    }
    if (!n.isArray() || n.isEmpty()) {
      throw new ModelSpecException("outputs", "must be a non-empty array of output names, got " + n);
    }
    List<String> names = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Iterator<JsonNode> it = n.elements(); it.hasNext(); ) {
      JsonNode e = it.next();
      if (!e.isTextual() || e.asText().isBlank()) {
        throw new ModelSpecException("outputs", "entries must be non-empty strings, got " + e);
      }
      if (!seen.add(e.asText())) {
        throw new ModelSpecException("outputs", "lists \"" + e.asText() + "\" twice");
      }
      names.add(e.asText());
    }
    return names;
  }

  private static List<StaticGraph> graphs(JsonNode root) {
    JsonNode n = root.get("graphs");
    if (n == null || n.isNull()) {
      return List.of();
    }
    if (!n.isArray() || n.isEmpty()) {
      throw new ModelSpecException("graphs", "must be a non-empty array of {\"file\", \"batch\", \"sequence\"}, got " + n);
    }
    List<StaticGraph> graphs = new ArrayList<>();
    Set<String> files = new HashSet<>();
    Set<List<Integer>> shapes = new HashSet<>();
    for (int i = 0; i < n.size(); i++) {
      JsonNode e = n.get(i);
      String at = "graphs[" + i + "]";
      if (!e.isObject()) {
        throw new ModelSpecException("graphs", at + " must be an object {\"file\", \"batch\", \"sequence\"}, got " + e);
      }
      rejectUnknown(e, "graphs", at, Set.of("file", "batch", "sequence"));
      StaticGraph g = new StaticGraph(nested(() -> relativeFile(e, "file", null), "graphs", at),
          nested(() -> positiveInt(e, "batch", null), "graphs", at),
          nested(() -> positiveInt(e, "sequence", null), "graphs", at));
      if (!files.add(Path.of(g.file()).normalize().toString())) {
        throw new ModelSpecException("graphs", at + " lists file '" + g.file() + "' twice");
      }
      if (!shapes.add(List.of(g.batch(), g.sequence()))) {
        throw new ModelSpecException("graphs", at + " repeats batch " + g.batch() + " x sequence " + g.sequence());
      }
      graphs.add(g);
    }
    return graphs;
  }

  private static TokenEmbeddings tokenEmbeddings(JsonNode root) {
    JsonNode n = root.get("token_embeddings");
    if (n == null || n.isNull()) {
      return null;
    }
    String field = "token_embeddings";
    if (!n.isObject()) {
      throw new ModelSpecException(field, "must be an object {\"file\", \"dtype\", \"rows\", \"dim\"}, got " + n);
    }
    rejectUnknown(n, field, field, Set.of("file", "dtype", "rows", "dim"));
    String file = nested(() -> relativeFile(n, "file", null), field, field);
    if (!n.hasNonNull("dtype")) {
      throw new ModelSpecException(field, "token_embeddings.dtype is required");
    }
    Dtype dtype = nested(() -> enumValue(n, "dtype", Dtype.class, null), field, field);
    long rows = nested(() -> nonNegativeLong(n, "rows", 0), field, field);
    if (rows < 1) {
      throw new ModelSpecException(field, "token_embeddings.rows must be a positive integer, got " + n.get("rows"));
    }
    int dim = nested(() -> positiveInt(n, "dim", null), field, field);
    return new TokenEmbeddings(file, dtype, rows, dim);
  }

  private static void rejectUnknown(JsonNode object, String field, String at, Set<String> known) {
    object.fieldNames().forEachRemaining(f -> {
      if (!known.contains(f)) {
        throw new ModelSpecException(field, at + " has unknown key \"" + f + "\" (known: " + new TreeSet<>(known) + ")");
      }
    });
  }

  /** Reports a nested key's problem on the top-level field, prefixed with where it is ("graphs[2]"). */
  private static <T> T nested(java.util.function.Supplier<T> read, String field, String at) {
    try {
      return read.get();
    } catch (ModelSpecException e) {
      throw new ModelSpecException(field, at + "." + e.field() + " " + e.detail(), e);
    }
  }

  private static List<Integer> buckets(JsonNode root) {
    JsonNode n = root.get("buckets");
    if (n == null || n.isNull()) {
      return DEFAULT_BUCKETS;
    }
    if (!n.isArray() || n.isEmpty()) {
      throw new ModelSpecException("buckets", "must be a non-empty array of increasing positive integers, got " + n);
    }
    List<Integer> out = new ArrayList<>();
    for (JsonNode e : n) {
      if (!e.isIntegralNumber() || !e.canConvertToInt() || e.asInt() < 1
          || (!out.isEmpty() && e.asInt() <= out.get(out.size() - 1))) {
        throw new ModelSpecException("buckets", "must be a non-empty array of increasing positive integers, got " + n);
      }
      out.add(e.asInt());
    }
    return out;
  }
}
