package dev.tier0.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A static graph's inputs and outputs against the spec: each mismatch names the graph file and the spec field. */
class StaticGraphCheckTest {
  private static final ModelSpec HIDDEN = ModelSpec.parse(MultiGraphSpecTest.spec(null, null));
  private static final ModelSpec POOLED = ModelSpec.parse(MultiGraphSpecTest.spec("pooled_output", "\"embedding\""));
  private static final ModelSpec.StaticGraph B8_S32 = HIDDEN.graphs().get(1);

  private static NodeInfo node(String name, OnnxJavaType type, long... shape) throws OrtException {
    long elements = 1;
    for (long d : shape) {
      elements *= d;
    }
    ByteBuffer buffer = ByteBuffer.allocate((int) elements * (type == OnnxJavaType.INT64 ? 8 : type == OnnxJavaType.FLOAT ? 4 : 2));
    java.nio.Buffer typed = switch (type) {
      case FLOAT -> buffer.asFloatBuffer();
      case FLOAT16 -> buffer.asShortBuffer();
      case INT64 -> buffer.asLongBuffer();
      default -> throw new IllegalArgumentException(type.toString());
    };
    return new NodeInfo(name, TensorInfo.constructFromBuffer(typed, shape, type));
  }

  private static Map<String, NodeInfo> inputs(OnnxJavaType type, long batch, long seq, long dim) throws OrtException {
    Map<String, NodeInfo> m = new HashMap<>();
    m.put("inputs_embeds", node("inputs_embeds", type, batch, seq, dim));
    m.put("attention_mask", node("attention_mask", type, batch, seq));
    return m;
  }

  private static Map<String, NodeInfo> hidden(OnnxJavaType type, long batch, long seq, long dim) throws OrtException {
    return Map.of("h.1", node("h.1", type, batch, seq, dim), "h.2", node("h.2", type, batch, seq, dim));
  }

  @Test
  void aMatchingGraphReportsItsInputElementTypes() throws Exception {
    assertThat(SpecGraphCheck.checkStatic(HIDDEN, B8_S32, inputs(OnnxJavaType.FLOAT16, 8, 32, 4),
        hidden(OnnxJavaType.FLOAT, 8, 32, 4)))
        .isEqualTo(new SpecGraphCheck.StaticInputs(OnnxJavaType.FLOAT16, OnnxJavaType.FLOAT16));
    assertThat(SpecGraphCheck.checkStatic(POOLED, B8_S32, inputs(OnnxJavaType.FLOAT, 8, 32, 4),
        Map.of("embedding", node("embedding", OnnxJavaType.FLOAT, 8, 4))).inputsEmbeds()).isEqualTo(OnnxJavaType.FLOAT);
  }

  @Test
  void wrongInputsAreNamedWithTheGraph() throws Exception {
    Map<String, NodeInfo> ids = Map.of("input_ids", node("input_ids", OnnxJavaType.INT64, 8, 32),
        "attention_mask", node("attention_mask", OnnxJavaType.INT64, 8, 32));
    expect(ids, hidden(OnnxJavaType.FLOAT, 8, 32, 4), HIDDEN, "graphs",
        "graph 'graphs/b8-s32.onnx': inputs are [attention_mask, input_ids], expected exactly [attention_mask, inputs_embeds]");
    expect(inputs(OnnxJavaType.FLOAT, 1, 32, 4), hidden(OnnxJavaType.FLOAT, 8, 32, 4), HIDDEN, "graphs",
        "\"inputs_embeds\" has shape [1, 32, 4] but the spec says [8, 32, 4]");
    expect(inputs(OnnxJavaType.FLOAT, 8, 32, 5), hidden(OnnxJavaType.FLOAT, 8, 32, 4), HIDDEN, "token_embeddings",
        "\"inputs_embeds\" has shape [8, 32, 5] but the spec says [8, 32, 4] [batch, sequence, token_embeddings.dim]");
    Map<String, NodeInfo> intMask = inputs(OnnxJavaType.FLOAT, 8, 32, 4);
    intMask.put("attention_mask", node("attention_mask", OnnxJavaType.INT64, 8, 32));
    expect(intMask, hidden(OnnxJavaType.FLOAT, 8, 32, 4), HIDDEN, "graphs",
        "input \"attention_mask\" is INT64, expected FLOAT or FLOAT16");
  }

  @Test
  void wrongOutputsAreNamedWithTheGraph() throws Exception {
    Map<String, NodeInfo> in = inputs(OnnxJavaType.FLOAT, 8, 32, 4);
    expect(in, Map.of("h.1", node("h.1", OnnxJavaType.FLOAT, 8, 32, 4)), HIDDEN, "outputs",
        "graph 'graphs/b8-s32.onnx': output \"h.2\" not in the graph's outputs [h.1]");
    expect(in, hidden(OnnxJavaType.FLOAT, 8, 32, 6), HIDDEN, "dimension", "\"h.1\" has shape [8, 32, 6]");
    expect(in, hidden(OnnxJavaType.FLOAT, 8, 64, 4), HIDDEN, "graphs", "\"h.1\" has shape [8, 64, 4]");
    expect(in, hidden(OnnxJavaType.FLOAT16, 8, 32, 4), HIDDEN, "dtype", "dtype float32 but output \"h.1\" is FLOAT16");
    expect(in, hidden(OnnxJavaType.FLOAT, 8, 32, 4), POOLED, "pooled_output",
        "has no output \"embedding\"; its outputs are [h.1, h.2]");
    expect(in, Map.of("embedding", node("embedding", OnnxJavaType.FLOAT, 8, 3)), POOLED, "dimension",
        "\"embedding\" has shape [8, 3] but the spec says [8, 4] [batch, dimension]");
  }

  private static void expect(Map<String, NodeInfo> inputs, Map<String, NodeInfo> outputs, ModelSpec spec,
                             String field, String message) {
    assertThatThrownBy(() -> SpecGraphCheck.checkStatic(spec, B8_S32, inputs, outputs))
        .isInstanceOf(ModelSpecException.class)
        .hasMessageContaining("graph 'graphs/b8-s32.onnx'")
        .hasMessageContaining(message)
        .satisfies(e -> assertThat(((ModelSpecException) e).field()).isEqualTo(field));
  }
}
