package dev.tier0.embed;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import java.nio.FloatBuffer;
import java.util.Optional;

/** Reads a graph's float32 or float16 output tensor into a flat float array. */
final class OutputTensors {
  private OutputTensors() {}

  static float[] readFloats(Optional<OnnxValue> value, String name) {
    if (value.isEmpty() || !(value.get() instanceof OnnxTensor t)) {
      throw new EmbeddingException("ONNX Runtime returned no tensor for output \"" + name + "\"");
    }
    OnnxJavaType type = t.getInfo().type;
    if (type == OnnxJavaType.FLOAT16) {
      // raw binary16 bits, converted exactly here rather than trusting an implicit widening
      return HalfFloat.toFloats(t.getShortBuffer());
    }
    if (type == OnnxJavaType.FLOAT) {
      FloatBuffer fb = t.getFloatBuffer();
      float[] out = new float[fb.remaining()];
      fb.get(out);
      return out;
    }
    throw new EmbeddingException("output \"" + name + "\" has element type " + type + ", expected FLOAT or FLOAT16");
  }
}
