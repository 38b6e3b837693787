package dev.tier0.cli.soak;

import java.util.ArrayList;
import java.util.List;

/**
 * Samples, once a second, the offsets each pipeline has committed on its input topic, and the children's peak RSS.
 * The connector commits an offset only once Milvus holds the record (or the DLQ has it); the streams app commits
 * once the record is in its changelogged pending store, from which it is written to Milvus within a flush. Rates
 * are committed records per second between two sample times.
 */
final class Progress {
  record Sample(long ms, long connect, long streams) {}

  private final Soak soak;
  private final List<Sample> samples = new ArrayList<>();
  private volatile boolean stopped;
  private Thread thread;

  Progress(Soak soak) {
    this.soak = soak;
  }

  void start() {
    thread = new Thread(() -> {
      while (!stopped) {
        long c = soak.committed(Soak.CONNECT_GROUP);
        long s = soak.committed(Soak.STREAMS_APP_ID);
        synchronized (samples) {
          Sample last = samples.isEmpty() ? new Sample(0, 0, 0) : samples.get(samples.size() - 1);
          // -1: the coordinator did not answer this time; keep the last value
          samples.add(new Sample(soak.now(), c < 0 ? last.connect() : c, s < 0 ? last.streams() : s));
        }
        for (ChildJvm jvm : soak.workers) {
          if (jvm != null) {
            jvm.sampleRss();
          }
        }
        for (ChildJvm jvm : soak.streams) {
          if (jvm != null) {
            jvm.sampleRss();
          }
        }
        try {
          Thread.sleep(1000);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "soak-progress");
    thread.setDaemon(true);
    thread.start();
  }

  void stop() {
    stopped = true;
    thread.interrupt();
  }

  private Sample last() {
    synchronized (samples) {
      return samples.isEmpty() ? new Sample(0, 0, 0) : samples.get(samples.size() - 1);
    }
  }

  long connect() {
    return last().connect();
  }

  long streams() {
    return last().streams();
  }

  /** The connector's committed fraction of its topic. */
  double connectFraction() {
    return last().connect() / (double) Math.max(1, soak.connectEnd);
  }

  /** The streams app's committed fraction of its topic. */
  double streamsFraction() {
    return last().streams() / (double) Math.max(1, soak.streamsEnd);
  }

  /** The smaller of the two pipelines' committed fractions of their topic. */
  double fraction() {
    Sample s = last();
    return Math.min(s.connect() / (double) Math.max(1, soak.connectEnd), s.streams() / (double) Math.max(1, soak.streamsEnd));
  }

  private Sample at(long ms) {
    synchronized (samples) {
      Sample best = samples.isEmpty() ? new Sample(0, 0, 0) : samples.get(0);
      for (Sample s : samples) {
        if (s.ms() <= ms) {
          best = s;
        }
      }
      return best;
    }
  }

  double connectRate(long fromMs, long toMs) {
    Sample a = at(fromMs);
    Sample b = at(toMs);
    return round((b.connect() - a.connect()) * 1000.0 / Math.max(1, b.ms() - a.ms()));
  }

  double streamsRate(long fromMs, long toMs) {
    Sample a = at(fromMs);
    Sample b = at(toMs);
    return round((b.streams() - a.streams()) * 1000.0 / Math.max(1, b.ms() - a.ms()));
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }
}
