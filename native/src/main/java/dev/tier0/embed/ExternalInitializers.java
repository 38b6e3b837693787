package dev.tier0.embed;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads, from an ONNX model file, the initializers whose data lives in an external file (ONNX external data: a
 * {@code location} relative to the graph's directory, a byte {@code offset} and {@code length}), without loading
 * the data. Only the top-level graph is read ({@code ModelProto.graph.initializer}; the exported static graphs have
 * no subgraphs). The file is parsed with the protobuf wire format directly, the handful of fields below, because
 * ONNX's Java classes would be a dependency for four fields; unknown fields are skipped as protobuf requires.
 */
final class ExternalInitializers {
  // field numbers from onnx.proto (ModelProto, GraphProto, TensorProto, StringStringEntryProto)
  private static final int MODEL_GRAPH = 7;
  private static final int GRAPH_INITIALIZER = 5;
  private static final int TENSOR_DIMS = 1;
  private static final int TENSOR_DATA_TYPE = 2;
  private static final int TENSOR_NAME = 8;
  private static final int TENSOR_EXTERNAL_DATA = 13;
  private static final int TENSOR_DATA_LOCATION = 14;
  private static final int ENTRY_KEY = 1;
  private static final int ENTRY_VALUE = 2;
  private static final int LOCATION_EXTERNAL = 1;

  /**
   * One initializer stored outside the graph.
   * @param name initializer name in the graph
   * @param dataType ONNX {@code TensorProto.DataType} (1 float, 10 float16, 7 int64 ...)
   * @param dims its shape
   * @param location data file, relative to the graph file's directory
   * @param offset byte offset in that file (0 when absent)
   * @param length bytes (-1 when absent: the rest of the file)
   */
  record Tensor(String name, int dataType, long[] dims, String location, long offset, long length) {}

  private ExternalInitializers() {}

  /**
   * The externally stored initializers of {@code model}, in graph order; inline ones are not listed.
   * @throws EmbeddingException when the file cannot be read or is not a well-formed ONNX protobuf
   */
  static List<Tensor> read(Path model) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(model);
    } catch (IOException e) {
      throw new EmbeddingException("cannot read ONNX graph " + model, e);
    }
    try {
      List<Tensor> tensors = new ArrayList<>();
      Wire m = new Wire(bytes, 0, bytes.length);
      while (m.more()) {
        int tag = m.tag();
        if (tag >>> 3 == MODEL_GRAPH && (tag & 7) == 2) {
          Wire g = m.message();
          while (g.more()) {
            int gtag = g.tag();
            if (gtag >>> 3 == GRAPH_INITIALIZER && (gtag & 7) == 2) {
              Tensor t = tensor(g.message());
              if (t != null) {
                tensors.add(t);
              }
            } else {
              g.skip(gtag);
            }
          }
        } else {
          m.skip(tag);
        }
      }
      return tensors;
    } catch (IndexOutOfBoundsException | IllegalStateException e) {
      throw new EmbeddingException("not a well-formed ONNX graph: " + model, e);
    }
  }

  private static Tensor tensor(Wire t) {
    String name = "";
    int dataType = 0;
    int dataLocation = 0;
    List<Long> dims = new ArrayList<>();
    String location = null;
    long offset = 0;
    long length = -1;
    while (t.more()) {
      int tag = t.tag();
      int field = tag >>> 3;
      int wire = tag & 7;
      if (field == TENSOR_DIMS && wire == 0) {
        dims.add(t.varint());
      } else if (field == TENSOR_DIMS && wire == 2) { // packed
        Wire packed = t.message();
        while (packed.more()) {
          dims.add(packed.varint());
        }
      } else if (field == TENSOR_DATA_TYPE && wire == 0) {
        dataType = (int) t.varint();
      } else if (field == TENSOR_NAME && wire == 2) {
        name = t.string();
      } else if (field == TENSOR_DATA_LOCATION && wire == 0) {
        dataLocation = (int) t.varint();
      } else if (field == TENSOR_EXTERNAL_DATA && wire == 2) {
        Wire e = t.message();
        String key = null;
        String value = null;
        while (e.more()) {
          int etag = e.tag();
          if (etag >>> 3 == ENTRY_KEY && (etag & 7) == 2) {
            key = e.string();
          } else if (etag >>> 3 == ENTRY_VALUE && (etag & 7) == 2) {
            value = e.string();
          } else {
            e.skip(etag);
          }
        }
        if ("location".equals(key)) {
          location = value;
        } else if ("offset".equals(key) && value != null) {
          offset = Long.parseLong(value);
        } else if ("length".equals(key) && value != null) {
          length = Long.parseLong(value);
        }
      } else {
        t.skip(tag);
      }
    }
    if (dataLocation != LOCATION_EXTERNAL || location == null) {
      return null;
    }
    return new Tensor(name, dataType, dims.stream().mapToLong(Long::longValue).toArray(), location, offset, length);
  }

  /** A protobuf message being read: bytes [pos, end) of buf. */
  private static final class Wire {
    private final byte[] buf;
    private int pos;
    private final int end;

    Wire(byte[] buf, int pos, int end) {
      this.buf = buf;
      this.pos = pos;
      this.end = end;
    }

    boolean more() {
      return pos < end;
    }

    int tag() {
      return (int) varint();
    }

    long varint() {
      long value = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        byte b = byteAt(pos++);
        value |= (long) (b & 0x7F) << shift;
        if (b >= 0) {
          return value;
        }
      }
      throw new IllegalStateException("malformed varint at byte " + pos);
    }

    Wire message() {
      int length = Math.toIntExact(varint());
      if (length < 0 || pos + length > end) {
        throw new IllegalStateException("length " + length + " past the end at byte " + pos);
      }
      Wire sub = new Wire(buf, pos, pos + length);
      pos += length;
      return sub;
    }

    String string() {
      Wire s = message();
      return new String(buf, s.pos, s.end - s.pos, StandardCharsets.UTF_8);
    }

    void skip(int tag) {
      switch (tag & 7) {
        case 0 -> varint();
        case 1 -> pos += 8;
        case 2 -> message();
        case 5 -> pos += 4;
        default -> throw new IllegalStateException("unsupported wire type " + (tag & 7) + " at byte " + pos);
      }
      if (pos > end) {
        throw new IllegalStateException("field past the end of its message");
      }
    }

    private byte byteAt(int i) {
      if (i >= end) {
        throw new IllegalStateException("truncated message at byte " + i);
      }
      return buf[i];
    }
  }
}
