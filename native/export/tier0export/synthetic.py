"""Random-weight Hugging Face directories at real widths, written with numpy alone (no torch): for exercising
the export at Qwen3-Embedding-4B's sizes without its 8 GB download."""
import json
from pathlib import Path

import numpy as np

# Qwen3-Embedding-4B's widths (its config.json), all but the layer count.
QWEN3_4B = {"hidden_size": 2560, "intermediate_size": 9728, "num_attention_heads": 32, "num_key_value_heads": 8,
            "head_dim": 128, "vocab_size": 151936, "rms_norm_eps": 1e-6, "rope_theta": 1000000.0}


def write_safetensors(path, tensors):
    """The safetensors layout: an 8-byte little-endian header size, a JSON header {name: {dtype, shape,
    data_offsets}}, then the data. tensors: {name: (dtype tag such as "F32" or "BF16", array)}."""
    header, offset = {}, 0
    for name, (tag, array) in tensors.items():
        header[name] = {"dtype": tag, "shape": list(array.shape), "data_offsets": [offset, offset + array.nbytes]}
        offset += array.nbytes
    head = json.dumps(header).encode()
    head += b" " * (-len(head) % 8)  # data 8-byte aligned, as the reference writer does
    with open(path, "wb") as f:
        f.write(len(head).to_bytes(8, "little"))
        f.write(head)
        for _, array in tensors.values():
            f.write(np.ascontiguousarray(array).tobytes())


def _bf16(array):
    """FP32 -> BF16 bits (truncation: the numbers are random anyway)."""
    return "BF16", (np.ascontiguousarray(array, np.float32).view(np.uint32) >> 16).astype(np.uint16)


def random_qwen3(out_dir, layers=2, seed=0, widths=None):
    """A Qwen3Model directory (config.json + model.safetensors, BF16 like the real one) with random weights:
    linears ~ N(0, 0.02), norms ~ 1 + N(0, 0.05). Returns the config."""
    w = dict(QWEN3_4B, **(widths or {}))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    hid, inter, hd = w["hidden_size"], w["intermediate_size"], w["head_dim"]
    q_out, kv_out = w["num_attention_heads"] * hd, w["num_key_value_heads"] * hd

    def linear(n_out, n_in):
        return _bf16(0.02 * rng.standard_normal((n_out, n_in), dtype=np.float32))

    def norm(n):
        return _bf16(1.0 + 0.05 * rng.standard_normal(n, dtype=np.float32))

    tensors = {"embed_tokens.weight": _bf16(0.02 * rng.standard_normal((w["vocab_size"], hid), dtype=np.float32)),
               "norm.weight": norm(hid)}
    for i in range(layers):
        p = f"layers.{i}."
        tensors.update({p + "self_attn.q_proj.weight": linear(q_out, hid), p + "self_attn.k_proj.weight": linear(kv_out, hid),
                        p + "self_attn.v_proj.weight": linear(kv_out, hid), p + "self_attn.o_proj.weight": linear(hid, q_out),
                        p + "mlp.gate_proj.weight": linear(inter, hid), p + "mlp.up_proj.weight": linear(inter, hid),
                        p + "mlp.down_proj.weight": linear(hid, inter), p + "input_layernorm.weight": norm(hid),
                        p + "post_attention_layernorm.weight": norm(hid), p + "self_attn.q_norm.weight": norm(hd),
                        p + "self_attn.k_norm.weight": norm(hd)})
    write_safetensors(out_dir / "model.safetensors", tensors)
    config = dict(w, architectures=["Qwen3Model"], model_type="qwen3", num_hidden_layers=layers,
                  max_position_embeddings=40960, torch_dtype="bfloat16", tie_word_embeddings=False,
                  bos_token_id=151643, eos_token_id=151643, pad_token_id=151643)
    (out_dir / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    return config
