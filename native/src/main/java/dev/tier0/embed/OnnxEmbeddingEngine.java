package dev.tier0.embed;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns one model: the ORT session, the tokenizer and the pooling. Thread-safe (ORT sessions and the tokenizer
 * may be used concurrently). Created and closed by {@link SharedModels}; callers hold handles, not this.
 */
final class OnnxEmbeddingEngine implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OnnxEmbeddingEngine.class);
  /** Texts tokenised and length-sorted together; larger inputs are processed chunk by chunk. */
  static final int TOKENIZE_CHUNK = 4096;

  private final ModelSpec spec;
  private final EngineOptions options;
  private final OrtEnvironment env;
  private final OrtSession session;
  private final ExecutionProvider provider;
  private final TextTokenizer tokenizer;
  private final SpecGraphCheck.GraphInputs graphInputs;
  private final PadLength padLength;
  private final LinkedHashSet<String> requestedOutputs;

  OnnxEmbeddingEngine(Path modelDir, EngineOptions options) {
    this.spec = ModelSpec.read(modelDir);
    this.options = options;
    this.env = OrtEnvironments.get();
    SessionFactory.Created created = SessionFactory.create(env, modelDir, modelDir.resolve(spec.modelFile()), options);
    this.session = created.session();
    this.provider = created.provider();
    TextTokenizer tok = null;
    try {
      this.graphInputs = SpecGraphCheck.check(spec, session.getInputInfo(), session.getOutputInfo());
      tok = new TextTokenizer(modelDir.resolve(spec.tokenizerFile()), spec.maxLength(), spec.padTokenId());
      this.tokenizer = tok;
      this.padLength = PadLength.of(spec, effectivePadding(spec, provider));
      this.requestedOutputs = new LinkedHashSet<>(spec.pooledOutputs());
      warmUp();
    } catch (OrtException | RuntimeException e) {
      if (tok != null) {
        tok.close();
      }
      closeQuietly(session, e);
      throw e instanceof EmbeddingException ee ? ee : new EmbeddingException("cannot load model " + modelDir, e);
    }
    LOG.info("loaded model {} from {} on {} (dimension {}, max_length {}, padding {})", spec.name(), modelDir, provider,
        spec.outputDimension(), spec.maxLength(), effectivePadding(spec, provider).name().toLowerCase());
  }

  ModelSpec spec() {
    return spec;
  }

  ExecutionProvider provider() {
    return provider;
  }

  List<Embedding> embedDocuments(List<String> texts) {
    List<Embedding> out = new ArrayList<>(texts.size());
    // texts are tokenised and sorted a chunk at a time, so token ids in memory stay bounded for any input size
    for (int start = 0; start < texts.size(); start += TOKENIZE_CHUNK) {
      out.addAll(embedChunk(texts.subList(start, Math.min(texts.size(), start + TOKENIZE_CHUNK))));
    }
    return out;
  }

  private List<Embedding> embedChunk(List<String> texts) {
    List<TokenizedText> tokenized = tokenizer.encode(texts);
    int[] lengths = new int[tokenized.size()];
    for (int i = 0; i < lengths.length; i++) {
      lengths[i] = tokenizer.modelIds(tokenized.get(i)).length;
    }
    Embedding[] out = new Embedding[texts.size()];
    for (int[] batch : BatchPlanner.plan(lengths, options.batchMaxRecords(), options.batchMaxTokens(), padLength)) {
      List<long[]> ids = new ArrayList<>(batch.length);
      int longest = 0;
      for (int index : batch) {
        ids.add(tokenizer.modelIds(tokenized.get(index)));
        longest = Math.max(longest, lengths[index]);
      }
      float[][] vectors = run(PaddedBatch.of(ids, padLength.forLongest(longest), spec.paddingSide(), spec.padTokenId()));
      for (int r = 0; r < batch.length; r++) {
        TokenizedText t = tokenized.get(batch[r]);
        out[batch[r]] = new Embedding(vectors[r], t.length(), t.truncated());
      }
    }
    return Arrays.asList(out);
  }

  Embedding embedQuery(String query) {
    return embedDocuments(List.of(spec.formatQuery(query))).get(0);
  }

  int countTokens(String text) {
    return tokenizer.countTokens(text);
  }

  /** One ORT run on a padded batch; returns one pooled vector per row. */
  float[][] run(PaddedBatch batch) {
    long[] shape = {batch.rows(), batch.length()};
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try {
      inputs.put(SpecGraphCheck.INPUT_IDS, tensor(batch.inputIds(), shape));
      inputs.put(SpecGraphCheck.ATTENTION_MASK, tensor(batch.attentionMask(), shape));
      if (graphInputs.tokenTypeIds()) {
        inputs.put(SpecGraphCheck.TOKEN_TYPE_IDS, tensor(new long[batch.inputIds().length], shape));
      }
      if (graphInputs.positionIds()) {
        inputs.put(SpecGraphCheck.POSITION_IDS, tensor(batch.positionIds(), shape));
      }
      try (OrtSession.Result result = session.run(inputs, requestedOutputs)) {
        List<float[]> layers = new ArrayList<>(requestedOutputs.size());
        int hidden = spec.dimension();
        for (String name : requestedOutputs) {
          layers.add(readFloats(result.get(name), name));
        }
        float[][] vectors = Pooler.pool(layers, batch.attentionMask(), batch.rows(), batch.length(), hidden, spec.pooling());
        if (spec.mrlDimension() != null) {
          for (int r = 0; r < vectors.length; r++) {
            vectors[r] = Pooler.truncate(vectors[r], spec.mrlDimension());
          }
        }
        return vectors;
      }
    } catch (OrtException e) {
      throw new EmbeddingException("ONNX Runtime failed on a batch of " + batch.rows() + " x " + batch.length()
          + " tokens (model " + spec.name() + ")", e);
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }

  private OnnxTensor tensor(long[] values, long[] shape) throws OrtException {
    return OnnxTensor.createTensor(env, LongBuffer.wrap(values), shape);
  }

  private float[] readFloats(Optional<OnnxValue> value, String name) {
    if (value.isEmpty() || !(value.get() instanceof OnnxTensor t)) {
      throw new EmbeddingException("ONNX Runtime returned no tensor for output \"" + name + "\"");
    }
    OnnxJavaType type = t.getInfo().type;
    if (type == OnnxJavaType.FLOAT16) {
      // raw binary16 bits, converted exactly here rather than trusting an implicit widening
      return HalfFloat.toFloats(t.getShortBuffer());
    }
    if (type == OnnxJavaType.FLOAT) {
      java.nio.FloatBuffer fb = t.getFloatBuffer();
      float[] out = new float[fb.remaining()];
      fb.get(out);
      return out;
    }
    throw new EmbeddingException("output \"" + name + "\" has element type " + type + ", expected FLOAT or FLOAT16");
  }

  /** Static-shaped providers (CoreML) compile per shape: run each shape once now instead of on the first request. */
  private void warmUp() {
    if (provider != ExecutionProvider.COREML) {
      return;
    }
    for (int length : padLength.staticLengths()) {
      long start = System.nanoTime();
      run(PaddedBatch.of(List.of(new long[] {spec.padTokenId()}), length, spec.paddingSide(), spec.padTokenId()));
      LOG.info("warm-up of {} at length {} took {} ms", spec.name(), length, (System.nanoTime() - start) / 1_000_000);
    }
  }

  /** CoreML needs static shapes: padding=longest becomes buckets there. */
  static ModelSpec.Padding effectivePadding(ModelSpec spec, ExecutionProvider provider) {
    if (provider == ExecutionProvider.COREML && spec.padding() == ModelSpec.Padding.LONGEST) {
      return ModelSpec.Padding.BUCKETS;
    }
    return spec.padding();
  }

  private static void closeQuietly(OrtSession session, Exception primary) {
    try {
      session.close();
    } catch (OrtException e) {
      primary.addSuppressed(e);
    }
  }

  @Override
  public void close() {
    tokenizer.close();
    try {
      session.close();
    } catch (OrtException e) {
      throw new EmbeddingException("cannot close the ONNX Runtime session of " + spec.name(), e);
    }
  }
}
