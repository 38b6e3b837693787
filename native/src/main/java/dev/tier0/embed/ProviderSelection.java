package dev.tier0.embed;

import ai.onnxruntime.OrtProvider;
import java.util.Locale;
import java.util.Set;

/**
 * Decides which execution provider to use from what was asked, the platform and the providers this ORT build
 * offers. Pure, so the policy is unit tested without GPUs or Apple hardware.
 */
final class ProviderSelection {
  private ProviderSelection() {}

  /** The provider to use, and a warning when the request could not be honoured. */
  record Decision(ExecutionProvider provider, String warning) {}

  static Decision decide(ExecutionProvider requested, boolean strict, String osName, String osArch,
                         Set<OrtProvider> available) {
    boolean appleSilicon = isMac(osName) && isArm64(osArch);
    return switch (requested) {
      case CPU -> new Decision(ExecutionProvider.CPU, null);
      case AUTO -> {
        if (appleSilicon && available.contains(OrtProvider.CORE_ML)) {
          yield new Decision(ExecutionProvider.COREML, null);
        }
        if (available.contains(OrtProvider.CUDA)) {
          yield new Decision(ExecutionProvider.CUDA, null);
        }
        yield new Decision(ExecutionProvider.CPU, null);
      }
      case CUDA -> available.contains(OrtProvider.CUDA)
          ? new Decision(ExecutionProvider.CUDA, null)
          : unavailable(requested, strict, "this ONNX Runtime build has no CUDA provider (available: " + available
              + "); use the onnxruntime_gpu artifact on a machine with an NVIDIA GPU");
      case COREML -> {
        if (!appleSilicon) {
          yield unavailable(requested, strict, "CoreML needs macOS on Apple Silicon, this is " + osName + "/" + osArch);
        }
        yield available.contains(OrtProvider.CORE_ML)
            ? new Decision(ExecutionProvider.COREML, null)
            : unavailable(requested, strict, "this ONNX Runtime build has no CoreML provider (available: " + available + ")");
      }
    };
  }

  /** The policy for a provider that was chosen but failed to attach (e.g. CUDA library present, no device). */
  static Decision failedToAttach(ExecutionProvider provider, boolean strict, Exception cause) {
    return unavailable(provider, strict, provider + " provider failed to start: " + cause.getMessage());
  }

  private static Decision unavailable(ExecutionProvider requested, boolean strict, String why) {
    if (strict) {
      throw new EmbeddingException("execution provider " + requested + " unavailable (strict): " + why);
    }
    return new Decision(ExecutionProvider.CPU, "execution provider " + requested + " unavailable, using CPU: " + why);
  }

  static boolean isMac(String osName) {
    return osName.toLowerCase(Locale.ROOT).startsWith("mac");
  }

  static boolean isArm64(String osArch) {
    String a = osArch.toLowerCase(Locale.ROOT);
    return a.equals("aarch64") || a.equals("arm64");
  }
}
