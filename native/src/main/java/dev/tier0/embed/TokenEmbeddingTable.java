package dev.tier0.embed;

import ai.onnxruntime.platform.Fp16Conversions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The token-embedding table of a multi-graph directory ({@code token_embeddings} in the spec), memory-mapped
 * read-only: raw little-endian row-major [rows, dim] float16 or float32. The graphs take {@code inputs_embeds}, so
 * the engine gathers one row per token id here (the lookup stays out of the CoreML graph: Qwen3's 151,936 rows pass
 * CoreML's 16,384 limit per dimension, and Gather is not an MLProgram op).
 *
 * <p>A {@link MappedByteBuffer} holds at most 2 GB, so the file is mapped in chunks of whole rows (Qwen3-Embedding-4B:
 * 151936 x 2560 x 2 bytes = 778 MB, one chunk). Pages are loaded by the OS on first touch and shared between
 * engines. Thread-safe: reads use absolute positions only.
 */
final class TokenEmbeddingTable {
  /** Bytes per mapped chunk: well under the 2 GB limit of one buffer. */
  static final long DEFAULT_CHUNK_BYTES = 1L << 30;

  private final ModelSpec.TokenEmbeddings spec;
  private final int rowBytes;
  private final long rowsPerChunk;
  private final ByteBuffer[] chunks;

  private TokenEmbeddingTable(ModelSpec.TokenEmbeddings spec, ByteBuffer[] chunks, long rowsPerChunk) {
    this.spec = spec;
    this.rowBytes = spec.dim() * spec.dtype().bytes();
    this.chunks = chunks;
    this.rowsPerChunk = rowsPerChunk;
  }

  /** Maps {@code file}; its size must already have been checked against the spec ({@link ModelSpec#read}). */
  static TokenEmbeddingTable map(Path file, ModelSpec.TokenEmbeddings spec) {
    return map(file, spec, DEFAULT_CHUNK_BYTES);
  }

  /** As {@link #map(Path, ModelSpec.TokenEmbeddings)} with a chunk size in bytes (tests use a small one). */
  static TokenEmbeddingTable map(Path file, ModelSpec.TokenEmbeddings spec, long chunkBytes) {
    long rowBytes = (long) spec.dim() * spec.dtype().bytes();
    long rowsPerChunk = Math.max(1, chunkBytes / rowBytes);
    int count = (int) ((spec.rows() + rowsPerChunk - 1) / rowsPerChunk);
    ByteBuffer[] chunks = new ByteBuffer[count];
    // the mapping outlives the channel: closing the channel does not unmap
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      for (int c = 0; c < count; c++) {
        long firstRow = c * rowsPerChunk;
        long rows = Math.min(rowsPerChunk, spec.rows() - firstRow);
        chunks[c] = channel.map(FileChannel.MapMode.READ_ONLY, firstRow * rowBytes, rows * rowBytes)
            .order(ByteOrder.LITTLE_ENDIAN);
      }
    } catch (IOException e) {
      throw new EmbeddingException("cannot memory-map the token-embedding table " + file, e);
    }
    return new TokenEmbeddingTable(spec, chunks, rowsPerChunk);
  }

  int dim() {
    return spec.dim();
  }

  /**
   * Writes row {@code id} as float32 into {@code out[offset .. offset + dim)}, converting from float16 if needed.
   * @throws EmbeddingException when the id is outside the table (a tokenizer that does not match the table)
   */
  void copyRowAsFloat(long id, float[] out, int offset) {
    ByteBuffer chunk = chunkOf(id);
    int base = rowOffset(id);
    int dim = spec.dim();
    if (spec.dtype() == ModelSpec.Dtype.FLOAT32) {
      for (int i = 0; i < dim; i++) {
        out[offset + i] = chunk.getFloat(base + 4 * i);
      }
    } else {
      for (int i = 0; i < dim; i++) {
        out[offset + i] = HalfFloat.toFloat(chunk.getShort(base + 2 * i));
      }
    }
  }

  /**
   * Writes row {@code id} as float16 bits into {@code out[offset .. offset + dim)}, rounding from float32 if needed.
   * @throws EmbeddingException when the id is outside the table
   */
  void copyRowAsHalf(long id, short[] out, int offset) {
    ByteBuffer chunk = chunkOf(id);
    int base = rowOffset(id);
    int dim = spec.dim();
    if (spec.dtype() == ModelSpec.Dtype.FLOAT16) {
      for (int i = 0; i < dim; i++) {
        out[offset + i] = chunk.getShort(base + 2 * i);
      }
    } else {
      for (int i = 0; i < dim; i++) {
        out[offset + i] = Fp16Conversions.floatToFp16(chunk.getFloat(base + 4 * i));
      }
    }
  }

  private ByteBuffer chunkOf(long id) {
    if (id < 0 || id >= spec.rows()) {
      throw new EmbeddingException("token id " + id + " is outside the token-embedding table '" + spec.file()
          + "' of " + spec.rows() + " rows: the tokenizer does not match the table");
    }
    return chunks[(int) (id / rowsPerChunk)];
  }

  private int rowOffset(long id) {
    return (int) ((id % rowsPerChunk) * rowBytes);
  }
}
