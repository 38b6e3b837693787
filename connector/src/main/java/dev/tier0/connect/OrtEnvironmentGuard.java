package dev.tier0.connect;

import ai.onnxruntime.OrtEnvironment;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.connect.errors.ConnectException;

/**
 * Creates ONNX Runtime's process-wide environment on a thread with a large stack.
 *
 * <p>Why: with onnxruntime 1.29.0 on Linux, creating the environment recurses inside libonnxruntime.so deeply
 * enough to overflow a default 1 MB Java thread stack once the process command line (/proc/self/cmdline) is
 * longer than about 4 KB, and the JVM dies with SIGSEGV without an hs_err file. Every Kafka Connect worker
 * started by kafka-run-class.sh has such a command line: -cp lists every jar of libs/. A 16 MB stack was enough
 * for a 60 KB command line in tests; later calls (sessions, inference) run on ordinary threads without trouble.
 */
final class OrtEnvironmentGuard {
  private static final long STACK_BYTES = 64L << 20;
  private static boolean created;

  private OrtEnvironmentGuard() {}

  static synchronized void ensureCreated() {
    if (created) {
      return;
    }
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread thread = new Thread(null, () -> {
      try {
        OrtEnvironment.getEnvironment();
      } catch (Throwable e) {
        failure.set(e);
      }
    }, "tier0-onnxruntime-init", STACK_BYTES);
    thread.start();
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConnectException("interrupted while initialising ONNX Runtime", e);
    }
    if (failure.get() != null) {
      throw new ConnectException("cannot initialise ONNX Runtime: " + failure.get().getMessage(), failure.get());
    }
    created = true;
  }
}
