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
    String tokenizerFile) {

  public static final String FILE_NAME = "tier0-model.json";
  public static final String QUERY_PLACEHOLDER = "{query}";
  static final List<Integer> DEFAULT_BUCKETS = List.of(32, 64, 128, 256, 512);
  private static final Set<String> KNOWN_FIELDS = Set.of("name", "dimension", "outputs", "pooling", "last_n",
      "max_length", "padding", "buckets", "padding_side", "pad_token_id", "dtype", "query_template",
      "mrl_dimension", "model_file", "tokenizer_file");
  private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_JAVA_COMMENTS).build();

  public enum Pooling { MEAN, LAST_TOKEN, CLS }

  public enum Padding { FIXED, LONGEST, BUCKETS }

  public enum PaddingSide { RIGHT, LEFT }

  public enum Dtype { FLOAT32, FLOAT16 }

  public ModelSpec {
    outputs = List.copyOf(outputs);
    buckets = List.copyOf(buckets);
  }

  /** Reads and validates {@code <modelDir>/tier0-model.json}; also checks the model and tokenizer files exist. */
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
    requireFile(modelDir, "model_file", spec.modelFile());
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
    return new ModelSpec(name, dimension, outputs, pooling, lastN, maxLength, padding, buckets, side, padId, dtype,
        template, mrl, modelFile, tokenizerFile);
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
    String f = root.has(field) ? requiredText(root, field) : fallback;
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
