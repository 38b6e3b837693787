package dev.tier0.streams.ingest;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The embed threads of ingest's prepare-ahead: one per Kafka Streams stream thread, shared by that thread's tasks,
 * so a stream thread has at most one model call running at a time, as it had when it embedded on its own thread
 * (num.stream.threads still bounds the concurrent model calls and the memory of their token budgets). A task's
 * batch queues behind another task's batch of the same stream thread. An embed thread runs only
 * {@link dev.tier0.ingest.IngestWriter#prepare} (the model and a read of stored fingerprints): never a state store,
 * the processor context or a write, which stay on the stream thread. Daemon threads that end after a minute idle;
 * a stream thread that is gone drops its entry (weak keys).
 */
public final class EmbedThreads {
  private static final long IDLE_SECONDS = 60;
  private final Map<Thread, ExecutorService> byStreamThread = Collections.synchronizedMap(new WeakHashMap<>());

  /** Runs {@code task} on the calling stream thread's embed thread, after what that thread submitted before. */
  <T> Future<T> submit(Callable<T> task) {
    return byStreamThread.computeIfAbsent(Thread.currentThread(), EmbedThreads::newExecutor).submit(task);
  }

  private static ExecutorService newExecutor(Thread streamThread) {
    String name = "tier0-embed-" + streamThread.getName();
    ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, IDLE_SECONDS, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, name);
          t.setDaemon(true);
          return t;
        });
    executor.allowCoreThreadTimeOut(true);
    return executor;
  }
}
