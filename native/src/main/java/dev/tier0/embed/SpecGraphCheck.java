package dev.tier0.embed;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.TensorInfo;
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
  private static final Set<String> SUPPORTED_INPUTS = Set.of(INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS, POSITION_IDS);

  /** Which optional inputs the graph takes. */
  record GraphInputs(boolean tokenTypeIds, boolean positionIds) {}

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

  private static TensorInfo tensor(NodeInfo node, String kind) {
    if (!(node.getInfo() instanceof TensorInfo t)) {
      throw new EmbeddingException("the graph " + kind + " \"" + node.getName() + "\" is not a tensor: " + node.getInfo());
    }
    return t;
  }
}
