"""The tier0 embedding pipeline in numpy + ONNX Runtime (no torch): tokenise per spec, run, pool.

Pooling (DESIGN.md): average the last N hidden states in float32, masked mean over real tokens (divide
by the count of mask=1, padded positions are skipped, not multiplied, so a NaN there cannot leak in),
clamp to [-65504, 65504], L2 normalise. A text with no tokens gives the zero vector.
"""
from pathlib import Path

import numpy as np

from .spec import TOKENIZER_FILE, read_spec

FP16_MAX = 65504.0


def load_tokenizer(tokenizer_file, spec, max_length=None):
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(str(tokenizer_file))
    length = max_length or spec["max_length"]
    tok.no_padding()
    tok.enable_truncation(max_length=length)
    pad_id = spec["pad_token_id"]
    pad_token = tok.id_to_token(pad_id)
    if spec["padding"] == "fixed":
        tok.enable_padding(direction=spec["padding_side"], pad_id=pad_id, pad_token=pad_token, length=length)
    else:  # longest (buckets are an engine-side choice; longest gives the same vectors)
        tok.enable_padding(direction=spec["padding_side"], pad_id=pad_id, pad_token=pad_token)
    return tok


def encode(tok, texts):
    """(input_ids, attention_mask, token_type_ids) as int64 arrays, one row per text."""
    encodings = tok.encode_batch(list(texts))
    ids = np.array([e.ids for e in encodings], dtype=np.int64)
    mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
    types = np.array([e.type_ids for e in encodings], dtype=np.int64)
    return ids, mask, types


def pool(hidden_states, mask, last_n):
    """hidden_states: list of (B, S, D) arrays (any float type), in layer order."""
    layers = np.stack([h.astype(np.float32) for h in hidden_states[-last_n:]])
    mean_layers = layers.mean(axis=0)
    real = mask.astype(bool)[..., None]
    summed = np.where(real, mean_layers, 0.0).sum(axis=1)
    count = np.maximum(real.sum(axis=1), 1).astype(np.float32)
    pooled = np.clip(summed / count, -FP16_MAX, FP16_MAX)
    norm = np.linalg.norm(pooled, axis=1, keepdims=True)
    return (pooled / np.maximum(norm, 1e-12)).astype(np.float32)


class OnnxEmbedder:
    """A model directory run by Python ONNX Runtime (CPU), the same way the Java engine runs it."""

    def __init__(self, model_dir, tokenizer_file=None, max_length=None):
        import onnxruntime as ort
        self.dir = Path(model_dir)
        self.spec = read_spec(self.dir)
        options = ort.SessionOptions()
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(self.dir / self.spec["model_file"]), options,
                                            providers=["CPUExecutionProvider"])
        self.input_names = [i.name for i in self.session.get_inputs()]
        self.tok = load_tokenizer(tokenizer_file or self.dir / self.spec.get("tokenizer_file", TOKENIZER_FILE),
                                  self.spec, max_length)

    def hidden_states(self, ids, mask, types=None):
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self.input_names:
            feed["token_type_ids"] = types if types is not None else np.zeros_like(ids)
        if "position_ids" in self.input_names:
            feed["position_ids"] = np.broadcast_to(np.arange(ids.shape[1], dtype=np.int64), ids.shape).copy()
        return self.session.run(self.spec["outputs"], feed)

    def embed(self, texts, batch_size=16):
        vectors = []
        for start in range(0, len(texts), batch_size):
            ids, mask, types = encode(self.tok, texts[start:start + batch_size])
            vectors.append(pool(self.hidden_states(ids, mask, types), mask, self.spec["last_n"]))
        return np.concatenate(vectors)


def cosine_rows(a, b):
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    na = np.linalg.norm(a, axis=1)
    nb = np.linalg.norm(b, axis=1)
    both_zero = (na == 0) & (nb == 0)
    cos = (a * b).sum(axis=1) / np.maximum(na * nb, 1e-30)
    return np.where(both_zero, 1.0, cos)
