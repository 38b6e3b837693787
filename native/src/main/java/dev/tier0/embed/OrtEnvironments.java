package dev.tier0.embed;

import ai.onnxruntime.OrtEnvironment;
import java.util.concurrent.atomic.AtomicReference;

/**
 * ONNX Runtime's process-wide environment, created on a thread with a large stack.
 *
 * <p>Why: with onnxruntime 1.29.0 on Linux, creating the environment recurses inside libonnxruntime.so deeply
 * enough to overflow a default 1 MB Java thread stack once the process command line (/proc/self/cmdline) is
 * longer than about 4 KB, and the JVM dies with SIGSEGV without an hs_err file. Every Kafka Connect worker
 * started by kafka-run-class.sh, and any application with a long class path, has such a command line. A 16 MB
 * stack was enough for a 60 KB command line; later calls (sessions, inference) run on ordinary threads.
 */
final class OrtEnvironments {
  private static final long STACK_BYTES = 64L << 20;
  private static OrtEnvironment environment;

  private OrtEnvironments() {}

  static synchronized OrtEnvironment get() {
    if (environment != null) {
      return environment;
    }
    AtomicReference<OrtEnvironment> created = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread thread = new Thread(null, () -> {
      try {
        created.set(OrtEnvironment.getEnvironment());
      } catch (Throwable e) {
        failure.set(e);
      }
    }, "tier0-onnxruntime-init", STACK_BYTES);
    thread.start();
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EmbeddingException("interrupted while initialising ONNX Runtime", e);
    }
    if (failure.get() != null) {
      throw new EmbeddingException("cannot initialise ONNX Runtime: " + failure.get().getMessage(), failure.get());
    }
    environment = created.get();
    return environment;
  }
}
