package dev.tier0.embed;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-graph directory ({@code model_file}): one session taking token ids ({@code input_ids},
 * {@code attention_mask}, optional {@code token_type_ids}/{@code position_ids}, INT64 [rows, length]) with a
 * dynamic batch, padded as the spec says; its hidden states are pooled in Java.
 */
final class DynamicGraph implements GraphRunner {
  private static final Logger LOG = LoggerFactory.getLogger(DynamicGraph.class);

  private final ModelSpec spec;
  private final OrtEnvironment env;
  private final OrtSession session;
  private final ExecutionProvider provider;
  private final SpecGraphCheck.GraphInputs graphInputs;
  private final PadLength padLength;
  private final LinkedHashSet<String> requestedOutputs;
  private final GraphRuns runs;

  /** Opens and checks the session; warms it on CoreML. Closes the session if anything fails. */
  DynamicGraph(ModelSpec spec, Path modelDir, EngineOptions options, OrtEnvironment env, GraphRuns runs) {
    this.spec = spec;
    this.env = env;
    this.runs = runs;
    SessionFactory.Created created = SessionFactory.create(env, modelDir, modelDir.resolve(spec.modelFile()), options);
    this.session = created.session();
    this.provider = created.provider();
    try {
      this.graphInputs = SpecGraphCheck.check(spec, session.getInputInfo(), session.getOutputInfo());
      this.padLength = PadLength.of(spec, effectivePadding(spec, provider));
      this.requestedOutputs = new LinkedHashSet<>(spec.pooledOutputs());
      warmUp();
    } catch (OrtException | RuntimeException e) {
      try {
        session.close();
      } catch (OrtException closing) {
        e.addSuppressed(closing);
      }
      throw e instanceof EmbeddingException ee ? ee : new EmbeddingException("cannot load model " + modelDir, e);
    }
  }

  @Override
  public BatchShape shape() {
    return padLength;
  }

  @Override
  public ExecutionProvider provider() {
    return provider;
  }

  /** The padding actually used: CoreML needs static shapes, so padding=longest becomes buckets there. */
  static ModelSpec.Padding effectivePadding(ModelSpec spec, ExecutionProvider provider) {
    if (provider == ExecutionProvider.COREML && spec.padding() == ModelSpec.Padding.LONGEST) {
      return ModelSpec.Padding.BUCKETS;
    }
    return spec.padding();
  }

  @Override
  public float[][] run(List<long[]> ids) {
    int longest = 0;
    for (long[] row : ids) {
      longest = Math.max(longest, row.length);
    }
    float[][] vectors = run(PaddedBatch.of(ids, padLength.forLongest(longest), spec.paddingSide(), spec.padTokenId()));
    runs.record(spec.modelFile(), ids.size());
    return vectors;
  }

  private float[][] run(PaddedBatch batch) {
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
        for (String name : requestedOutputs) {
          layers.add(OutputTensors.readFloats(result.get(name), name));
        }
        return Pooler.pool(layers, batch.attentionMask(), batch.rows(), batch.length(), spec.dimension(), spec.pooling());
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

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new EmbeddingException("cannot close the ONNX Runtime session of " + spec.name(), e);
    }
  }
}
