package dev.tier0.embed;

import java.util.Locale;

/** CoreML's MLComputeUnits: which Apple silicon units the compiled model may use. */
public enum CoreMlComputeUnits {
  ALL("ALL"),
  CPU_AND_NEURAL_ENGINE("CPUAndNeuralEngine"),
  CPU_AND_GPU("CPUAndGPU"),
  CPU_ONLY("CPUOnly");

  private final String ortValue;

  CoreMlComputeUnits(String ortValue) {
    this.ortValue = ortValue;
  }

  /** The value ONNX Runtime's CoreML provider option MLComputeUnits expects. */
  public String ortValue() {
    return ortValue;
  }

  /** Accepts the ORT spelling (CPUAndNeuralEngine) or the enum name (cpu_and_neural_engine). */
  public static CoreMlComputeUnits parse(String value) {
    String v = value.trim();
    for (CoreMlComputeUnits units : values()) {
      if (units.ortValue.equalsIgnoreCase(v) || units.name().equalsIgnoreCase(v.replace('-', '_'))) {
        return units;
      }
    }
    throw new IllegalArgumentException("CoreML compute units must be one of ALL, CPUAndNeuralEngine, CPUAndGPU, CPUOnly; got '"
        + value.toUpperCase(Locale.ROOT) + "'");
  }
}
