package dev.tier0.embed;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One copy of the weights that the static graphs of a multi-graph directory share on disk ({@code
 * graphs/weights.bin}, ONNX external data by offset): each externally stored initializer becomes ONE
 * {@link OnnxTensor} over a read-only memory-mapped slice of its file, and every graph's session receives the same
 * tensors through {@code SessionOptions.addExternalInitializers}. ONNX Runtime then uses the mapped bytes in place
 * on the CPU instead of reading its own copy per session (measured: see native/README.md, "Memory"). The pages are
 * file-backed and clean: the OS loads them on first touch and may drop them under pressure.
 *
 * <p>Tensors are keyed by (file, offset, length, type, shape), so a name that means the same bytes in every graph is
 * mapped once, and a name that means different bytes in two graphs (not something the export writes) stays
 * correct. The tensors must outlive every session given them: close this after the sessions.
 */
final class SharedWeights implements AutoCloseable {
  private record Key(Path file, long offset, long length, int dataType, List<Long> dims) {}

  private final Map<Key, OnnxTensor> tensors = new LinkedHashMap<>();
  private final Map<Path, Map<String, OnnxTensorLike>> byGraph = new HashMap<>();
  private long bytes;

  private SharedWeights() {}

  /**
   * Maps the external initializers of each graph file once.
   * @param graphFiles absolute paths of the graph files; their external data is resolved next to each
   * @throws EmbeddingException when a graph or data file cannot be read, an initializer's type is not one ORT
   *     tensors take, or its length disagrees with its shape
   */
  static SharedWeights map(OrtEnvironment env, List<Path> graphFiles) {
    SharedWeights shared = new SharedWeights();
    try {
      for (Path graph : graphFiles) {
        Map<String, OnnxTensorLike> forGraph = new LinkedHashMap<>();
        for (ExternalInitializers.Tensor t : ExternalInitializers.read(graph)) {
          forGraph.put(t.name(), shared.tensor(env, graph, t));
        }
        shared.byGraph.put(graph, Collections.unmodifiableMap(forGraph));
      }
      return shared;
    } catch (RuntimeException e) {
      shared.close();
      throw e;
    }
  }

  /** The initializers (name to tensor) to give the session of {@code graphFile}; empty if it has none outside. */
  Map<String, OnnxTensorLike> forGraph(Path graphFile) {
    return byGraph.getOrDefault(graphFile, Map.of());
  }

  /** Distinct tensors mapped (each once, whatever the number of graphs using it). */
  int tensorCount() {
    return tensors.size();
  }

  /** Bytes of the distinct tensors mapped. */
  long bytes() {
    return bytes;
  }

  private OnnxTensor tensor(OrtEnvironment env, Path graph, ExternalInitializers.Tensor t) {
    Path file = graph.toAbsolutePath().getParent().resolve(t.location()).normalize();
    OnnxJavaType type = javaType(t.dataType(), t.name(), graph);
    long expected = elementBytes(type);
    for (long d : t.dims()) {
      expected *= d;
    }
    long length = t.length() < 0 ? expected : t.length();
    if (length != expected) {
      throw new EmbeddingException("initializer '" + t.name() + "' of " + graph + ": external length " + length
          + " bytes but its shape " + java.util.Arrays.toString(t.dims()) + " needs " + expected);
    }
    Key key = new Key(file, t.offset(), length, t.dataType(), java.util.Arrays.stream(t.dims()).boxed().toList());
    OnnxTensor existing = tensors.get(key);
    if (existing != null) {
      return existing;
    }
    if (length > Integer.MAX_VALUE) {
      throw new EmbeddingException("initializer '" + t.name() + "' of " + graph + " has " + length
          + " bytes, more than one mapped buffer holds (2 GB)");
    }
    // the mapping outlives the channel; read-only, since ORT never writes an initializer
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      if (t.offset() + length > channel.size()) {
        throw new EmbeddingException("initializer '" + t.name() + "' of " + graph + ": bytes " + t.offset() + ".."
            + (t.offset() + length) + " past the end of " + file + " (" + channel.size() + " bytes)");
      }
      ByteBuffer data = channel.map(FileChannel.MapMode.READ_ONLY, t.offset(), length)
          .order(ByteOrder.nativeOrder());
      // a direct buffer: ORT's tensor points at it, no copy
      OnnxTensor tensor = OnnxTensor.createTensor(env, data, t.dims(), type);
      tensors.put(key, tensor);
      bytes += length;
      return tensor;
    } catch (IOException | OrtException e) {
      throw new EmbeddingException("cannot map initializer '" + t.name() + "' of " + graph + " from " + file, e);
    }
  }

  private static OnnxJavaType javaType(int onnxType, String name, Path graph) {
    return switch (onnxType) {
      case 1 -> OnnxJavaType.FLOAT;
      case 2 -> OnnxJavaType.UINT8;
      case 3 -> OnnxJavaType.INT8;
      case 5 -> OnnxJavaType.INT16;
      case 6 -> OnnxJavaType.INT32;
      case 7 -> OnnxJavaType.INT64;
      case 9 -> OnnxJavaType.BOOL;
      case 10 -> OnnxJavaType.FLOAT16;
      case 11 -> OnnxJavaType.DOUBLE;
      case 16 -> OnnxJavaType.BFLOAT16;
      default -> throw new EmbeddingException("initializer '" + name + "' of " + graph + " has ONNX data type "
          + onnxType + ", which tier0 does not map");
    };
  }

  private static long elementBytes(OnnxJavaType type) {
    return switch (type) {
      case UINT8, INT8, BOOL -> 1;
      case INT16, FLOAT16, BFLOAT16 -> 2;
      case INT32, FLOAT -> 4;
      default -> 8;
    };
  }

  /** Releases the tensors (the mapped pages go with the buffers, at the next GC). Call after the sessions close. */
  @Override
  public void close() {
    List<OnnxTensor> all = new ArrayList<>(tensors.values());
    tensors.clear();
    all.forEach(OnnxTensor::close);
  }
}
