package dev.tier0.embed;

import java.util.List;

/**
 * Turns hidden states into unit vectors: average the given layers per token, pool over the sequence (masked mean
 * dividing by the number of real tokens, the last real token, or the first real token), clamp each component to
 * the FP16 range, L2 normalise. Pure arithmetic on flat arrays so it is tested on hand-made numbers.
 */
final class Pooler {
  static final float FP16_MAX = 65504f;
  private static final double NORM_EPSILON = 1e-12;

  private Pooler() {}

  /**
   * @param layers hidden states, each flat [batch, seq, hidden] row-major; all are averaged
   * @param mask flat [batch, seq], 1 for real tokens, 0 for padding
   * @return one L2-normalised vector of length hidden per row
   */
  static float[][] pool(List<float[]> layers, long[] mask, int batch, int seq, int hidden, ModelSpec.Pooling method) {
    if (layers.isEmpty()) {
      throw new IllegalArgumentException("no hidden-state layers to pool");
    }
    for (float[] layer : layers) {
      if (layer.length != batch * seq * hidden) {
        throw new IllegalArgumentException("layer has " + layer.length + " values, expected " + batch + "x" + seq + "x" + hidden);
      }
    }
    if (mask.length != batch * seq) {
      throw new IllegalArgumentException("mask has " + mask.length + " values, expected " + batch + "x" + seq);
    }
    float[][] out = new float[batch][];
    for (int row = 0; row < batch; row++) {
      double[] pooled = switch (method) {
        case MEAN -> maskedMean(layers, mask, row, seq, hidden);
        case LAST_TOKEN -> tokenAverage(layers, row, seq, hidden, lastRealToken(mask, row, seq));
        case CLS -> tokenAverage(layers, row, seq, hidden, firstRealToken(mask, row, seq));
      };
      out[row] = clampAndNormalise(pooled);
    }
    return out;
  }

  /** MRL: keep the first {@code dimensions} components and re-normalise. */
  static float[] truncate(float[] vector, int dimensions) {
    if (dimensions >= vector.length) {
      return vector;
    }
    double[] head = new double[dimensions];
    for (int i = 0; i < dimensions; i++) {
      head[i] = vector[i];
    }
    return clampAndNormalise(head);
  }

  private static double[] maskedMean(List<float[]> layers, long[] mask, int row, int seq, int hidden) {
    // sum over real tokens and layers in one pass (no per-token arrays), then divide by tokens x layers
    double[] sum = new double[hidden];
    int realTokens = 0;
    for (int t = 0; t < seq; t++) {
      if (mask[row * seq + t] != 1) {
        continue;
      }
      realTokens++;
      int offset = (row * seq + t) * hidden;
      for (float[] layer : layers) {
        for (int h = 0; h < hidden; h++) {
          sum[h] += layer[offset + h];
        }
      }
    }
    if (realTokens == 0) {
      throw new IllegalArgumentException("row " + row + " has no real token (attention mask all zero)");
    }
    double divisor = (double) realTokens * layers.size();
    for (int h = 0; h < hidden; h++) {
      sum[h] /= divisor;
    }
    return sum;
  }

  private static double[] tokenAverage(List<float[]> layers, int row, int seq, int hidden, int token) {
    double[] avg = new double[hidden];
    int offset = (row * seq + token) * hidden;
    for (float[] layer : layers) {
      for (int h = 0; h < hidden; h++) {
        avg[h] += layer[offset + h];
      }
    }
    for (int h = 0; h < hidden; h++) {
      avg[h] /= layers.size();
    }
    return avg;
  }

  private static int lastRealToken(long[] mask, int row, int seq) {
    for (int t = seq - 1; t >= 0; t--) {
      if (mask[row * seq + t] == 1) {
        return t;
      }
    }
    throw new IllegalArgumentException("row " + row + " has no real token (attention mask all zero)");
  }

  private static int firstRealToken(long[] mask, int row, int seq) {
    for (int t = 0; t < seq; t++) {
      if (mask[row * seq + t] == 1) {
        return t;
      }
    }
    throw new IllegalArgumentException("row " + row + " has no real token (attention mask all zero)");
  }

  private static float[] clampAndNormalise(double[] v) {
    double sumSquares = 0;
    for (int i = 0; i < v.length; i++) {
      v[i] = Math.max(-FP16_MAX, Math.min(FP16_MAX, v[i]));
      sumSquares += v[i] * v[i];
    }
    double norm = Math.max(Math.sqrt(sumSquares), NORM_EPSILON);
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] / norm);
    }
    return out;
  }
}
