package dev.tier0.embed;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.TensorInfo;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks a spec against the loaded graph's real inputs and outputs, so a wrong spec fails at load with the field
 * named instead of producing wrong vectors later.
 */
final class SpecGraphCheck {
  static final String INPUT_IDS = "input_ids";
  static final String ATTENTION_MASK = "attention_mask";
  static final String TOKEN_TYPE_IDS = "token_type_ids";
  static final String POSITION_IDS = "position_ids";
  static final String INPUTS_EMBEDS = "inputs_embeds";
  static final String EMBEDDING = "embedding";
  private static final Set<String> SUPPORTED_INPUTS = Set.of(INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS, POSITION_IDS);

  /** Which optional inputs the graph takes. */
  record GraphInputs(boolean tokenTypeIds, boolean positionIds) {}

  /** The element types (FLOAT or FLOAT16) a static graph's two inputs take. */
  record StaticInputs(OnnxJavaType inputsEmbeds, OnnxJavaType attentionMask) {}

  private SpecGraphCheck() {}

  static GraphInputs check(ModelSpec spec, Map<String, NodeInfo> inputs, Map<String, NodeInfo> outputs) {
    for (String required : new String[] {INPUT_IDS, ATTENTION_MASK}) {
      if (!inputs.containsKey(required)) {
        throw new EmbeddingException("the graph has no input \"" + required + "\"; its inputs are " + new TreeSet<>(inputs.keySet()));
      }
    }
    for (Map.Entry<String, NodeInfo> in : inputs.entrySet()) {
      if (!SUPPORTED_INPUTS.contains(in.getKey())) {
        throw new EmbeddingException("the graph input \"" + in.getKey() + "\" is not supported; supported inputs are "
            + new TreeSet<>(SUPPORTED_INPUTS));
      }
      TensorInfo t = tensor(in.getValue(), "input");
      if (t.type != OnnxJavaType.INT64) {
        throw new EmbeddingException("the graph input \"" + in.getKey() + "\" is " + t.type + ", expected INT64");
      }
    }
    for (String name : spec.outputs()) {
      if (!outputs.containsKey(name)) {
        throw new ModelSpecException("outputs", "output \"" + name + "\" not in the graph's outputs "
            + new TreeSet<>(outputs.keySet()));
      }
    }
    for (String name : spec.pooledOutputs()) {
      TensorInfo t = tensor(outputs.get(name), "output");
      long[] shape = t.getShape();
      if (shape.length != 3) {
        throw new ModelSpecException("outputs", "output \"" + name + "\" has rank " + shape.length
            + ", expected [batch, sequence, hidden]");
      }
      long hidden = shape[2];
      if (hidden > 0 && hidden != spec.dimension()) {
        throw new ModelSpecException("dimension", "dimension " + spec.dimension() + " but output \"" + name
            + "\" last dim is " + hidden);
      }
      OnnxJavaType expected = spec.dtype() == ModelSpec.Dtype.FLOAT16 ? OnnxJavaType.FLOAT16 : OnnxJavaType.FLOAT;
      if (t.type != expected) {
        throw new ModelSpecException("dtype", "dtype " + spec.dtype().name().toLowerCase() + " but output \"" + name
            + "\" is " + t.type);
      }
    }
    return new GraphInputs(inputs.containsKey(TOKEN_TYPE_IDS), inputs.containsKey(POSITION_IDS));
  }

  /**
   * Checks one static graph of a multi-graph spec against its loaded session: exactly the inputs
   * {@code inputs_embeds} [batch, sequence, token_embeddings.dim] and {@code attention_mask} [batch, sequence], all
   * dimensions fixed, each float32 or float16; outputs the pooled hidden states [batch, sequence, dimension] or,
   * with pooled_output "embedding", {@code embedding} [batch, dimension], of the spec's dtype. Errors name the graph
   * file and the spec field that contradicts it.
   */
  static StaticInputs checkStatic(ModelSpec spec, ModelSpec.StaticGraph graph, Map<String, NodeInfo> inputs,
                                  Map<String, NodeInfo> outputs) {
    String at = "graph '" + graph.file() + "': ";
    if (!inputs.keySet().equals(Set.of(INPUTS_EMBEDS, ATTENTION_MASK))) {
      throw new ModelSpecException("graphs", at + "inputs are " + new TreeSet<>(inputs.keySet()) + ", expected exactly ["
          + ATTENTION_MASK + ", " + INPUTS_EMBEDS + "]");
    }
    TensorInfo embeds = tensor(inputs.get(INPUTS_EMBEDS), "input");
    TensorInfo mask = tensor(inputs.get(ATTENTION_MASK), "input");
    int dimEmbed = spec.tokenEmbeddings().dim();
    requireShape(at, INPUTS_EMBEDS, embeds, new long[] {graph.batch(), graph.sequence(), dimEmbed},
        embeds.getShape().length == 3 && embeds.getShape()[2] != dimEmbed ? "token_embeddings" : "graphs",
        "[batch, sequence, token_embeddings.dim]");
    requireShape(at, ATTENTION_MASK, mask, new long[] {graph.batch(), graph.sequence()}, "graphs", "[batch, sequence]");
    for (Map.Entry<String, TensorInfo> in : Map.of(INPUTS_EMBEDS, embeds, ATTENTION_MASK, mask).entrySet()) {
      OnnxJavaType type = in.getValue().type;
      if (type != OnnxJavaType.FLOAT && type != OnnxJavaType.FLOAT16) {
        throw new ModelSpecException("graphs", at + "input \"" + in.getKey() + "\" is " + type
            + ", expected FLOAT or FLOAT16");
      }
    }
    OnnxJavaType expected = spec.dtype() == ModelSpec.Dtype.FLOAT16 ? OnnxJavaType.FLOAT16 : OnnxJavaType.FLOAT;
    if (spec.pooledOutput() == ModelSpec.PooledOutput.EMBEDDING) {
      if (!outputs.containsKey(EMBEDDING)) {
        throw new ModelSpecException("pooled_output", at + "has no output \"" + EMBEDDING + "\"; its outputs are "
            + new TreeSet<>(outputs.keySet()));
      }
      TensorInfo t = tensor(outputs.get(EMBEDDING), "output");
      requireShape(at, EMBEDDING, t, new long[] {graph.batch(), spec.dimension()},
          t.getShape().length == 2 && t.getShape()[1] != spec.dimension() ? "dimension" : "graphs", "[batch, dimension]");
      requireType(at, spec, EMBEDDING, t, expected);
    } else {
      for (String name : spec.pooledOutputs()) {
        if (!outputs.containsKey(name)) {
          throw new ModelSpecException("outputs", at + "output \"" + name + "\" not in the graph's outputs "
              + new TreeSet<>(outputs.keySet()));
        }
        TensorInfo t = tensor(outputs.get(name), "output");
        requireShape(at, name, t, new long[] {graph.batch(), graph.sequence(), spec.dimension()},
            t.getShape().length == 3 && t.getShape()[2] != spec.dimension() ? "dimension" : "graphs",
            "[batch, sequence, dimension]");
        requireType(at, spec, name, t, expected);
      }
    }
    return new StaticInputs(embeds.type, mask.type);
  }

  private static void requireShape(String at, String name, TensorInfo t, long[] expected, String field, String meaning) {
    if (!Arrays.equals(t.getShape(), expected)) {
      throw new ModelSpecException(field, at + "\"" + name + "\" has shape " + Arrays.toString(t.getShape())
          + " but the spec says " + Arrays.toString(expected) + " " + meaning + " (every dimension static)");
    }
  }

  private static void requireType(String at, ModelSpec spec, String name, TensorInfo t, OnnxJavaType expected) {
    if (t.type != expected) {
      throw new ModelSpecException("dtype", at + "dtype " + spec.dtype().name().toLowerCase() + " but output \"" + name
          + "\" is " + t.type);
    }
  }

  private static TensorInfo tensor(NodeInfo node, String kind) {
    if (!(node.getInfo() instanceof TensorInfo t)) {
      throw new EmbeddingException("the graph " + kind + " \"" + node.getName() + "\" is not a tensor: " + node.getInfo());
    }
    return t;
  }
}
