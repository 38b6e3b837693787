package dev.tier0.embed;

import java.util.Locale;

/** Where ONNX Runtime runs the model. AUTO: CoreML on macOS/aarch64, CUDA when available, else CPU. */
public enum ExecutionProvider {
  AUTO, CPU, CUDA, COREML;

  /** Parses the configuration vocabulary: auto | cpu | cuda | coreml (case-insensitive). */
  public static ExecutionProvider parse(String value) {
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("execution provider must be one of auto, cpu, cuda, coreml; got '" + value + "'", e);
    }
  }
}
