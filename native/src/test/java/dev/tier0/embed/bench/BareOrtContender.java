package dev.tier0.embed.bench;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The floor: ORT session.run alone on the corpus pre-tokenised, length-sorted and padded in batches before the
 * clock starts (same batch size as the tier0 row it is compared with); no tokenising, no pooling in the timing.
 */
final class BareOrtContender implements Contender {
  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtSession session;
  private final HuggingFaceTokenizer tokenizer;
  private final int batchSize;
  private final boolean tokenTypeIds;
  private final String output;
  private List<long[][]> prepared; // per batch: {ids, mask, shape}
  private List<String> preparedFor;

  BareOrtContender(Path modelDir, int maxLength, int batchSize, String output) throws Exception {
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT); // as tier0 does
      so.addConfigEntry("session.intra_op.allow_spinning", "0"); // as tier0 does: same runtime settings
      this.session = env.createSession(modelDir.resolve("model.onnx").toString(), so);
    }
    this.tokenizer = HuggingFaceTokenizer.builder().optTokenizerPath(modelDir.resolve("tokenizer.json"))
        .optTruncation(true).optMaxLength(maxLength).optPadding(false).build();
    this.batchSize = batchSize;
    this.tokenTypeIds = session.getInputNames().contains("token_type_ids");
    this.output = output;
  }

  @Override
  public String name() {
    return "bare ORT session.run (batch " + batchSize + ")";
  }

  /** Tokenises, sorts and pads outside the timed region. */
  void prepare(List<String> sentences) {
    Encoding[] encodings = tokenizer.batchEncode(sentences.toArray(String[]::new));
    Integer[] order = new Integer[encodings.length];
    Arrays.setAll(order, i -> i);
    Arrays.sort(order, Comparator.comparingInt(i -> encodings[i].getIds().length));
    prepared = new ArrayList<>();
    for (int start = 0; start < order.length; start += batchSize) {
      int rows = Math.min(batchSize, order.length - start);
      int length = encodings[order[start + rows - 1]].getIds().length;
      long[] ids = new long[rows * length];
      long[] mask = new long[rows * length];
      for (int r = 0; r < rows; r++) {
        long[] seq = encodings[order[start + r]].getIds();
        System.arraycopy(seq, 0, ids, r * length, seq.length);
        Arrays.fill(mask, r * length, r * length + seq.length, 1);
      }
      prepared.add(new long[][] {ids, mask, {rows, length}});
    }
    preparedFor = sentences;
  }

  @Override
  public List<float[]> embedAll(List<String> sentences) throws Exception {
    if (preparedFor != sentences) {
      throw new IllegalStateException("call prepare(sentences) before timing");
    }
    List<float[]> outputs = new ArrayList<>(prepared.size());
    for (long[][] batch : prepared) {
      outputs.add(run(batch[0], batch[1], batch[2]));
    }
    return outputs; // raw hidden states per batch: this row measures speed only
  }

  @Override
  public float[] embedOne(String sentence) throws Exception {
    long[] ids = tokenizer.encode(sentence).getIds();
    long[] mask = new long[ids.length];
    Arrays.fill(mask, 1);
    return run(ids, mask, new long[] {1, ids.length});
  }

  private float[] run(long[] ids, long[] mask, long[] shape) throws Exception {
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try {
      inputs.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
      inputs.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
      if (tokenTypeIds) {
        inputs.put("token_type_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(new long[ids.length]), shape));
      }
      try (OrtSession.Result result = session.run(inputs, Set.of(output))) {
        return ((OnnxTensor) result.get(0)).getFloatBuffer().array();
      }
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }

  @Override
  public void close() throws Exception {
    tokenizer.close();
    session.close();
  }
}
