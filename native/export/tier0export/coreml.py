"""The CoreML target: static-shape ONNX graphs that ONNX Runtime's CoreML MLProgram provider takes whole.

The forward pass of Qwen3 (decoder) and BERT (encoder) is written out here with onnx.helper from a weight
dict, one graph per (batch, sequence), instead of being traced: a traced graph builds its masks, positions
and rotary tables at run time from Shape/Range/Expand/Equal/ScatterND/ConstantOfShape/Neg, which the CoreML
MLProgram path does not take. Here:
- inputs are `inputs_embeds` [B, S, D] (the engine gathers rows of token-embeddings.bin: Gather is not an
  MLProgram op and Qwen3's 151,936 rows pass CoreML's 16,384-per-dimension limit) and `attention_mask` [B, S]
  as float (1 real, 0 pad);
- the additive attention bias is built from the mask with Sub/Mul/Reshape/Add; the causal mask, rotary
  cos/sin, BERT's position + token-type embeddings are constants for the fixed positions 0..S-1;
- rotate_half is a MatMul by a constant signed permutation (no Neg, no Slice);
- RMSNorm is Mul/ReduceMean/Add/Sqrt/Div; KV heads are repeated by Concat + Reshape; SiLU is Sigmoid * x;
  GELU is the exact Erf form; LayerNorm is the LayerNormalization op (MLProgram takes it).
Every graph of a directory shares one weights file, graphs/weights.bin (ONNX external data with offsets):
the weights are stored once however many shapes there are.

Weights come from a Hugging Face directory (config.json + *.safetensors, memory-mapped and read here, no
torch; BF16 widened exactly, one tensor at a time) or from an existing torch-exported ONNX graph's initializers (its MatMul weights are renamed back
to the HF names through the consuming node's name scope). Linear weights are kept as [in, out] (MatMul form).
"""
import json
import math
import re
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from .spec import hidden_state_name, make_spec, write_spec

OPSET = 17
WEIGHTS_FILE = "weights.bin"
TABLE_FILE = "token-embeddings.bin"
# Additive bias for a masked key: exp(-30000 - max) is 0 in FP32 and FP16, and a causal + padding sum
# (-60000) is still finite in FP16, so a row with every key masked gives a uniform softmax, never NaN.
MASKED = -30000.0
FP16_MAX = 65504.0
NP_TYPES = {"float32": np.float32, "float16": np.float16}
ONNX_TYPES = {"float32": TensorProto.FLOAT, "float16": TensorProto.FLOAT16}


# --- weights ------------------------------------------------------------------------------------------

def _strip(name):
    """The base model's parameter name: without the task wrapper's prefix (Qwen3ForCausalLM's 'model.',
    BertFor*'s 'bert.')."""
    for prefix in ("model.", "bert."):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def weights_from_onnx(model_file):
    """{HF parameter name (no 'model.' prefix) -> array} from a torch-exported ONNX graph. Linear weights
    (constant-folded to onnx::MatMul_N, already [in, out]) take the name of their MatMul's scope:
    '/model/layers.0/self_attn/q_proj/MatMul' -> 'layers.0.self_attn.q_proj.weight'."""
    model = onnx.load(str(model_file), load_external_data=True)
    inits = {t.name: t for t in model.graph.initializer}
    weights = {}
    for node in model.graph.node:
        if node.op_type == "MatMul" and len(node.input) == 2 and node.input[1] in inits:
            scope = node.name.rsplit("/", 1)[0].strip("/").replace("/", ".")
            weights[_strip(scope) + ".weight"] = numpy_helper.to_array(inits[node.input[1]])
    for name, tensor in inits.items():
        if not name.startswith("onnx::"):
            weights[_strip(name)] = numpy_helper.to_array(tensor)
    for node in model.graph.node:  # the exporter keeps one copy of equal weights, aliased by Identity
        if node.op_type == "Identity" and node.input[0] in inits and not node.output[0].startswith("/"):
            weights.setdefault(_strip(node.output[0]), numpy_helper.to_array(inits[node.input[0]]))
    return weights


SAFETENSORS_TYPES = {"F32": np.float32, "F16": np.float16, "F64": np.float64, "BF16": np.uint16,
                     "I64": np.int64, "I32": np.int32, "U8": np.uint8, "BOOL": np.bool_}


def read_safetensors(path):
    """{name -> (array, is_bf16)} of one .safetensors file, memory-mapped (BF16 as its uint16 bits): an 8-byte little-endian header length, a JSON
    header {name: {dtype, shape, data_offsets}}, then the data. Read here rather than with safetensors' numpy
    API because numpy has no bfloat16 (Qwen3-Embedding ships BF16); weights_from_hf widens BF16 to FP32
    exactly (BF16 is the top 16 bits of a float32)."""
    path = Path(path)
    with open(path, "rb") as f:
        size = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(size))
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + size)
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        array = data[start:end].view(np.dtype(SAFETENSORS_TYPES[info["dtype"]]).newbyteorder("<"))
        out[name] = (array.reshape(info["shape"]), info["dtype"] == "BF16")
    return out


class LazyWeights(dict):
    """A weight dict whose values may be loaders: each access widens/transposes one tensor from the memory
    map, so an export holds one converted weight at a time, not a FP32 copy of the whole model."""

    def __getitem__(self, name):
        value = super().__getitem__(name)
        return value() if callable(value) else value


def _loader(array, bf16, transpose):
    def load():
        out = (array.astype(np.uint32) << 16).view(np.float32) if bf16 else array
        return out.T if transpose else out
    return load


def weights_from_hf(model_dir):
    """(config dict, weights) from a Hugging Face directory: config.json + *.safetensors (no torch).
    Linear weights are transposed to [in, out] (MatMul form); BF16 tensors are widened to FP32."""
    model_dir = Path(model_dir)
    config = json.loads((model_dir / "config.json").read_text())
    files = sorted(model_dir.glob("*.safetensors"))
    if not files:
        raise SystemExit(f"{model_dir}: no *.safetensors")
    weights = LazyWeights()
    for file in files:
        for key, (array, bf16) in read_safetensors(file).items():
            name = _strip(key)
            transpose = name.endswith(".weight") and array.ndim == 2 and "embed" not in name
            weights[name] = _loader(array, bf16, transpose)
    return config, weights


def detect_arch(weights):
    if "layers.0.self_attn.q_norm.weight" in weights:
        return "qwen3"
    if "encoder.layer.0.attention.self.query.weight" in weights:
        return "bert"
    raise SystemExit("unknown architecture: expected Qwen3 (layers.N.self_attn.q_norm) or BERT (encoder.layer.N)")


def qwen3_config(weights, config=None, rms_eps=None, rope_theta=None):
    """Widths from the weight shapes; eps and theta from config.json when there is one (else Qwen3's)."""
    config = config or {}
    head_dim = weights["layers.0.self_attn.q_norm.weight"].shape[0]
    layers = 1 + max(int(m.group(1)) for m in map(re.compile(r"layers\.(\d+)\.").match, weights) if m)
    return {
        "arch": "qwen3", "layers": layers, "hidden": weights["layers.0.input_layernorm.weight"].shape[0],
        "head_dim": head_dim,
        "heads": weights["layers.0.self_attn.q_proj.weight"].shape[1] // head_dim,
        "kv_heads": weights["layers.0.self_attn.k_proj.weight"].shape[1] // head_dim,
        "eps": rms_eps or config.get("rms_norm_eps", 1e-6),
        "theta": rope_theta or config.get("rope_theta", 1000000.0),
    }


def bert_config(weights, config=None, num_heads=None, eps=None):
    config = config or {}
    heads = num_heads or config.get("num_attention_heads")
    if not heads:
        raise SystemExit("BERT from an ONNX graph: pass --num-heads (all-MiniLM-L6-v2: 12)")
    act = config.get("hidden_act", "gelu")
    if act != "gelu":
        raise SystemExit(f"hidden_act {act}: only the exact (erf) gelu is implemented")
    layers = 1 + max(int(m.group(1)) for m in map(re.compile(r"encoder\.layer\.(\d+)\.").match, weights) if m)
    return {"arch": "bert", "layers": layers, "hidden": weights["embeddings.word_embeddings.weight"].shape[1],
            "heads": int(heads), "eps": eps or config.get("layer_norm_eps", 1e-12)}


def token_table(weights, cfg):
    return weights["embed_tokens.weight"] if cfg["arch"] == "qwen3" else weights["embeddings.word_embeddings.weight"]


# --- graph building -----------------------------------------------------------------------------------

class Builder:
    """Nodes and initializers of one static graph; every float constant is stored in the graph's dtype."""

    def __init__(self, dtype, shared=None):
        self.dtype = dtype
        self.np = NP_TYPES[dtype]
        self.shared = shared  # SharedWeights: big constants go to (or are already in) graphs/weights.bin
        self.nodes, self.inits, self.names = [], {}, {}

    def const(self, name, value, dtype=None):
        if name in self.inits:
            return name
        if self.shared is not None and name in self.shared.entries:
            self.inits[name] = self.shared.reference(name)  # stored by an earlier graph: not converted again
            return name
        array = np.asarray(value)
        array = array.astype(dtype or (self.np if array.dtype.kind == "f" else np.int64))
        tensor = numpy_helper.from_array(np.ascontiguousarray(array), name)
        if self.shared is not None:
            tensor = self.shared.store(tensor)
        self.inits[name] = tensor
        return name

    def weight(self, name, weights):
        """const(name, weights[name]), without loading the weight when weights.bin already holds it."""
        if name in self.inits or (self.shared is not None and name in self.shared.entries):
            return self.const(name, None)
        return self.const(name, weights[name])

    def shape(self, *dims):
        return self.const("shape_" + "_".join(str(d) for d in dims), np.array(dims, np.int64))

    def derived(self, name, make):
        """A constant computed by make() (e.g. a reshaped weight), computed only when not stored yet."""
        if name in self.inits or (self.shared is not None and name in self.shared.entries):
            return self.const(name, None)
        return self.const(name, make())

    def op(self, op_type, inputs, scope, outputs=1, **attrs):
        """Append a node; returns its output name (or the list of them when outputs > 1)."""
        count = self.names.get((scope, op_type), 0)
        self.names[(scope, op_type)] = count + 1
        name = f"{scope}/{op_type}" + (f"_{count}" if count else "")
        outs = [f"{name}_output_{i}" for i in range(outputs)]
        self.nodes.append(helper.make_node(op_type, list(inputs), outs, name=name, **attrs))
        return outs[0] if outputs == 1 else outs


def _linear(b, x, weights, prefix, scope, bias=True):
    y = b.op("MatMul", [x, b.weight(prefix + ".weight", weights)], scope)
    if bias and prefix + ".bias" in weights:
        y = b.op("Add", [y, b.weight(prefix + ".bias", weights)], scope)
    return y


def _rms_norm(b, x, weight_name, weights, eps, scope, axis=-1, weight_shape=None):
    """HF Qwen3RMSNorm over `axis`: x / sqrt(mean(x^2) + eps) * w, computed in FP32 (HF upcasts too: in FP16
    the square of a hidden-state outlier overflows). Casts are MLProgram ops. weight_shape: the weight
    reshaped to broadcast along `axis` (channels-first layout)."""
    fp16 = b.dtype == "float16"
    if fp16:
        x = b.op("Cast", [x], scope, to=TensorProto.FLOAT)
    sq = b.op("Mul", [x, x], scope)
    mean = b.op("ReduceMean", [sq], scope, axes=[axis], keepdims=1)
    rms = b.op("Sqrt", [b.op("Add", [mean, b.const("eps_fp32", np.float32(eps), np.float32)], scope)], scope)
    y = b.op("Div", [x, rms], scope)
    if fp16:
        y = b.op("Cast", [y], scope, to=TensorProto.FLOAT16)
    if weight_shape is None:
        return b.op("Mul", [y, b.weight(weight_name, weights)], scope)
    shaped = b.derived(f"{weight_name}:{'x'.join(map(str, weight_shape))}",
                       lambda: weights[weight_name].reshape(weight_shape))
    return b.op("Mul", [y, shaped], scope)


def _rotate_half_matrix(head_dim):
    """P with x @ P = rotate_half(x) = cat(-x[half:], x[:half])."""
    half = head_dim // 2
    p = np.zeros((head_dim, head_dim), np.float32)
    for j in range(half):
        p[j + half, j] = -1.0
        p[j, j + half] = 1.0
    return p


def _rotary_tables(seq, head_dim, theta):
    """HF default RoPE for positions 0..seq-1: cos/sin of cat(freqs, freqs), shape [1, 1, seq, head_dim]."""
    inv_freq = 1.0 / (theta ** (np.arange(0, head_dim, 2, dtype=np.int64).astype(np.float32) / head_dim))
    freqs = np.arange(seq, dtype=np.float32)[:, None] * inv_freq[None, :].astype(np.float32)
    emb = np.concatenate([freqs, freqs], axis=-1)
    return np.cos(emb)[None, None], np.sin(emb)[None, None]


def _padding_bias(b, mask, batch, seq, causal):
    """attention_mask [B, S] (1/0) -> additive bias [B, 1, S, S] (or [B, 1, 1, S] without causal)."""
    scope = "/mask"
    pad = b.op("Mul", [b.op("Sub", [b.const("one", 1.0), mask], scope), b.const("masked", MASKED)], scope)
    pad = b.op("Reshape", [pad, b.shape(batch, 1, 1, seq)], scope)
    if not causal:
        return pad
    tri = np.triu(np.full((seq, seq), MASKED, np.float32), k=1)[None, None]
    return b.op("Add", [pad, b.const(f"causal_{seq}", tri)], scope)


def _attention_core(b, q, k, v, bias, batch, seq, heads, head_dim, scope):
    """q [B, H, S, hd], k^T [B, H, hd, S], v [B, H, S, hd] -> [B, S, H*hd]."""
    scores = b.op("MatMul", [q, k], scope)
    scores = b.op("Add", [scores, bias], scope)
    probs = b.op("Softmax", [scores], scope, axis=-1)
    ctx = b.op("MatMul", [probs, v], scope)
    ctx = b.op("Transpose", [ctx], scope, perm=[0, 2, 1, 3])
    return b.op("Reshape", [ctx, b.shape(batch, seq, heads * head_dim)], scope)


def _repeat_kv(b, x, batch, kv_heads, n_rep, seq, head_dim, scope):
    """[B, KV, S, hd] -> [B, KV*n_rep, S, hd], head h reading KV head h // n_rep (HF repeat_kv), as
    Concat + Reshape (4-D at most: CoreML's limit is rank 5)."""
    if n_rep == 1:
        return x
    flat = b.op("Reshape", [x, b.shape(batch, kv_heads, 1, seq * head_dim)], scope)
    rep = b.op("Concat", [flat] * n_rep, scope, axis=2)
    return b.op("Reshape", [rep, b.shape(batch, kv_heads * n_rep, seq, head_dim)], scope)


def qwen3_forward(b, cfg, weights, embeds, mask, batch, seq):
    """Qwen3Model forward; returns hidden_states[1..L] (the last one after the final norm, as in HF)."""
    hd, heads, kv = cfg["head_dim"], cfg["heads"], cfg["kv_heads"]
    bias = _padding_bias(b, mask, batch, seq, causal=True)
    cos, sin = _rotary_tables(seq, hd, cfg["theta"])
    cos, sin = b.const(f"rope_cos_{seq}", cos), b.const(f"rope_sin_{seq}", sin)
    rot = b.const("rotate_half", _rotate_half_matrix(hd))
    scale = b.const("attn_scale", np.float32(hd ** -0.5))
    h = embeds
    states = []
    for i in range(cfg["layers"]):
        p, s = f"layers.{i}", f"/layers.{i}"
        x = _rms_norm(b, h, p + ".input_layernorm.weight", weights, cfg["eps"], s + "/input_layernorm")

        def heads_of(name, n, scope, x=x, p=p):
            y = _linear(b, x, weights, f"{p}.self_attn.{name}_proj", scope)
            y = b.op("Reshape", [y, b.shape(batch, seq, n, hd)], scope)
            if name in ("q", "k"):
                y = _rms_norm(b, y, f"{p}.self_attn.{name}_norm.weight", weights, cfg["eps"], scope + "_norm")
            y = b.op("Transpose", [y], scope, perm=[0, 2, 1, 3])  # [B, n, S, hd]
            if name in ("q", "k"):  # q*cos + rotate_half(q)*sin
                y = b.op("Add", [b.op("Mul", [y, cos], scope),
                                 b.op("Mul", [b.op("MatMul", [y, rot], scope), sin], scope)], scope)
            return y

        sa = s + "/self_attn"
        q = b.op("Mul", [heads_of("q", heads, sa + "/q_proj"), scale], sa)
        k = _repeat_kv(b, heads_of("k", kv, sa + "/k_proj"), batch, kv, heads // kv, seq, hd, sa + "/repeat_k")
        v = _repeat_kv(b, heads_of("v", kv, sa + "/v_proj"), batch, kv, heads // kv, seq, hd, sa + "/repeat_v")
        k = b.op("Transpose", [k], sa, perm=[0, 1, 3, 2])
        ctx = _attention_core(b, q, k, v, bias, batch, seq, heads, hd, sa)
        h = b.op("Add", [h, _linear(b, ctx, weights, p + ".self_attn.o_proj", sa + "/o_proj")], s)
        x = _rms_norm(b, h, p + ".post_attention_layernorm.weight", weights, cfg["eps"], s + "/post_attention_layernorm")
        m = s + "/mlp"
        gate = _linear(b, x, weights, p + ".mlp.gate_proj", m + "/gate_proj")
        up = _linear(b, x, weights, p + ".mlp.up_proj", m + "/up_proj")
        act = b.op("Mul", [b.op("Mul", [gate, b.op("Sigmoid", [gate], m)], m), up], m)
        h = b.op("Add", [h, _linear(b, act, weights, p + ".mlp.down_proj", m + "/down_proj")], s)
        states.append(h)
    states[-1] = _rms_norm(b, h, "norm.weight", weights, cfg["eps"], "/norm")
    return states


def _layer_norm(b, x, prefix, weights, eps, scope):
    return b.op("LayerNormalization", [x, b.weight(prefix + ".weight", weights),
                                       b.weight(prefix + ".bias", weights)], scope,
                axis=-1, epsilon=float(eps))


def bert_embeddings(b, weights, embeds, seq):
    """Word embeddings (the graph input) plus the constant position (0..seq-1) and token-type-0 rows, before
    the embeddings LayerNorm: the same in every layout."""
    extra = weights["embeddings.position_embeddings.weight"][:seq] + weights["embeddings.token_type_embeddings.weight"][0]
    return b.op("Add", [embeds, b.const(f"position_and_type_{seq}", extra[None])], "/embeddings")


def bert_forward(b, cfg, weights, embeds, mask, batch, seq):
    """BertModel forward from word embeddings (token type 0); returns hidden_states[1..L]."""
    d, heads = cfg["hidden"], cfg["heads"]
    hd = d // heads
    h = _layer_norm(b, bert_embeddings(b, weights, embeds, seq), "embeddings.LayerNorm", weights, cfg["eps"],
                    "/embeddings/LayerNorm")
    bias = _padding_bias(b, mask, batch, seq, causal=False)
    scale = b.const("attn_scale", np.float32(hd ** -0.5))
    inv_sqrt2 = b.const("inv_sqrt2", np.float32(1 / math.sqrt(2)))
    half, one = b.const("half", 0.5), b.const("one", 1.0)
    states = []
    for i in range(cfg["layers"]):
        p, s = f"encoder.layer.{i}", f"/encoder/layer.{i}"
        sa = s + "/attention/self"

        def split(name, perm, h=h, p=p, sa=sa):
            y = _linear(b, h, weights, f"{p}.attention.self.{name}", f"{sa}/{name}")
            y = b.op("Reshape", [y, b.shape(batch, seq, heads, hd)], f"{sa}/{name}")
            return b.op("Transpose", [y], f"{sa}/{name}", perm=perm)

        q = b.op("Mul", [split("query", [0, 2, 1, 3]), scale], sa)
        ctx = _attention_core(b, q, split("key", [0, 2, 3, 1]), split("value", [0, 2, 1, 3]), bias,
                              batch, seq, heads, hd, sa)
        a = s + "/attention/output"
        h = b.op("Add", [_linear(b, ctx, weights, p + ".attention.output.dense", a + "/dense"), h], a)
        h = _layer_norm(b, h, p + ".attention.output.LayerNorm", weights, cfg["eps"], a + "/LayerNorm")
        inter = _linear(b, h, weights, p + ".intermediate.dense", s + "/intermediate/dense")
        g = s + "/intermediate/gelu"
        erf = b.op("Erf", [b.op("Mul", [inter, inv_sqrt2], g)], g)
        gelu = b.op("Mul", [b.op("Mul", [inter, half], g), b.op("Add", [erf, one], g)], g)
        o = s + "/output"
        h = b.op("Add", [_linear(b, gelu, weights, p + ".output.dense", o + "/dense"), h], o)
        h = _layer_norm(b, h, p + ".output.LayerNorm", weights, cfg["eps"], o + "/LayerNorm")
        states.append(h)
    return states


def _pool(b, states, mask, last_n, batch, seq, dim):
    """The Java pooler in the graph, in FP32: mean of the last N states, masked mean (sum of the real
    positions / their count, at least 1), clamp to +-65504, L2 (norm at least 1e-12) -> [B, dim]."""
    scope = "/pool"
    layers = states[-last_n:]
    if b.dtype == "float16":
        layers = [b.op("Cast", [x], scope, to=TensorProto.FLOAT) for x in layers]
        mask = b.op("Cast", [mask], scope, to=TensorProto.FLOAT)
    total = layers[0]
    for x in layers[1:]:
        total = b.op("Add", [total, x], scope)
    mean = b.op("Mul", [total, b.const("inv_last_n", np.float32(1.0 / last_n), np.float32)], scope)
    row_mask = b.op("Reshape", [mask, b.shape(batch, 1, seq)], scope)
    summed = b.op("MatMul", [row_mask, mean], scope)  # [B, 1, D]
    count = b.op("ReduceSum", [row_mask, b.const("axis_last", np.array([-1], np.int64))], scope, keepdims=1)
    count = b.op("Clip", [count, b.const("one_fp32", np.float32(1.0), np.float32)], scope)
    pooled = b.op("Div", [summed, count], scope)
    pooled = b.op("Clip", [pooled, b.const("fp16_min", np.float32(-FP16_MAX), np.float32),
                           b.const("fp16_max", np.float32(FP16_MAX), np.float32)], scope)
    norm = b.op("Sqrt", [b.op("ReduceSum", [b.op("Mul", [pooled, pooled], scope), b.const("axis_last", None)],
                              scope, keepdims=1)], scope)
    norm = b.op("Clip", [norm, b.const("l2_eps", np.float32(1e-12), np.float32)], scope)
    out = b.op("Reshape", [b.op("Div", [pooled, norm], scope), b.shape(batch, dim)], scope)
    if b.dtype == "float16":
        out = b.op("Cast", [out], scope, to=TensorProto.FLOAT16)
    return out


def build_graph(cfg, weights, batch, seq, dtype, last_n, pool=False, shared=None, layout="standard"):
    """One static graph: inputs inputs_embeds [B,S,D], attention_mask [B,S]; outputs hidden_state.<i> for
    the last last_n layers [B,S,D], or embedding [B,D] when pool. shared: a SharedWeights to hold the
    weights (else they are inside the returned model). layout "ane": Apple's Neural Engine layout inside the
    graph (coreml_ane.py); same inputs and outputs."""
    if not 1 <= last_n <= cfg["layers"]:
        raise SystemExit(f"--last-n {last_n}: the model has {cfg['layers']} layers")
    if layout not in ("standard", "ane"):
        raise SystemExit(f"layout {layout}: standard or ane")
    b = Builder(dtype, shared)
    elem = ONNX_TYPES[dtype]
    dim = cfg["hidden"]
    if layout == "ane":
        from . import coreml_ane
        forward = coreml_ane.qwen3_forward if cfg["arch"] == "qwen3" else coreml_ane.bert_forward
    else:
        forward = qwen3_forward if cfg["arch"] == "qwen3" else bert_forward
    states = forward(b, cfg, weights, "inputs_embeds", "attention_mask", batch, seq)
    if layout == "ane":  # back to [B, S, D], only for the states the graph returns or pools
        keep = len(states) - last_n
        states = [None] * keep + [coreml_ane.to_sequence_first(b, x, batch, seq, dim, f"/hidden_state.{keep + i + 1}")
                                  for i, x in enumerate(states[keep:])]
    layers = list(range(cfg["layers"] - last_n + 1, cfg["layers"] + 1))
    if pool:
        b.nodes.append(helper.make_node("Identity", [_pool(b, states, "attention_mask", last_n, batch, seq, dim)],
                                        ["embedding"], name="/embedding"))
        outputs = [helper.make_tensor_value_info("embedding", elem, [batch, dim])]
    else:
        outputs = []
        for layer in layers:
            name = hidden_state_name(layer)
            b.nodes.append(helper.make_node("Identity", [states[layer - 1]], [name], name="/" + name))
            outputs.append(helper.make_tensor_value_info(name, elem, [batch, seq, dim]))
    inputs = [helper.make_tensor_value_info("inputs_embeds", elem, [batch, seq, dim]),
              helper.make_tensor_value_info("attention_mask", elem, [batch, seq])]
    g = helper.make_graph(b.nodes, f"tier0-{cfg['arch']}-b{batch}-s{seq}", inputs, outputs, list(b.inits.values()))
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="tier0-export")
    model.ir_version = 8  # readable by every ONNX Runtime tier0 uses (Python 1.20, Java 1.29)
    return model, [hidden_state_name(i) for i in layers]


class SharedWeights:
    """graphs/weights.bin: every constant of 1 KiB or more, written once for all the graphs of a directory
    (64-byte aligned), each graph's initializer pointing at it by offset (ONNX external data). Constants are
    keyed by name: a name means the same tensor in every graph (shape-dependent ones carry the shape)."""

    MIN_BYTES = 1024

    def __init__(self, path):
        self.path = Path(path)
        self.entries = {}  # name -> (offset, length, dims, data_type)
        self.file = open(self.path, "wb")

    def store(self, tensor):
        if len(tensor.raw_data) < self.MIN_BYTES:
            return tensor
        pad = (-self.file.tell()) % 64
        self.file.write(b"\0" * pad)
        self.entries[tensor.name] = (self.file.tell(), len(tensor.raw_data), list(tensor.dims), tensor.data_type)
        self.file.write(tensor.raw_data)
        return self.reference(tensor.name)

    def reference(self, name):
        offset, length, dims, data_type = self.entries[name]
        tensor = TensorProto(name=name, dims=dims, data_type=data_type, data_location=TensorProto.EXTERNAL)
        for k, v in (("location", self.path.name), ("offset", str(offset)), ("length", str(length))):
            entry = tensor.external_data.add()
            entry.key, entry.value = k, v
        return tensor

    def close(self):
        self.file.close()


def buckets_for(sequences, max_length):
    chosen = sorted({s for s in sequences if s <= max_length})
    if not chosen:
        raise SystemExit(f"no sequence bucket <= max_length {max_length} in {sorted(sequences)}")
    return chosen


def export_dir(cfg, weights, out_dir, *, name, last_n, dtype, max_length, batches, sequences, pad_token_id,
               query_template=None, pool=False, tokenizer=None, layout="standard"):
    """Write a CoreML-target model directory (CONTRACT: graphs/, token-embeddings.bin, tier0-model.json)."""
    import shutil
    out_dir = Path(out_dir)
    graphs_dir = out_dir / "graphs"
    if graphs_dir.exists():
        shutil.rmtree(graphs_dir)
    graphs_dir.mkdir(parents=True)
    table = np.ascontiguousarray(token_table(weights, cfg).astype(NP_TYPES[dtype], copy=False))
    table.astype(table.dtype.newbyteorder("<"), copy=False).tofile(out_dir / TABLE_FILE)  # no copy on LE hosts
    seqs = buckets_for(sequences, max_length)
    shared = SharedWeights(graphs_dir / WEIGHTS_FILE)
    entries, names = [], None
    try:
        for seq in seqs:
            for batch in sorted(set(batches)):
                model, names = build_graph(cfg, weights, batch, seq, dtype, last_n, pool, shared, layout)
                rel = f"graphs/b{batch}-s{seq}.onnx"
                onnx.save_model(model, str(out_dir / rel))
                entries.append({"file": rel, "batch": batch, "sequence": seq})
    finally:
        shared.close()
    for entry in entries:
        onnx.checker.check_model(str(out_dir / entry["file"]))
    if tokenizer:
        shutil.copyfile(tokenizer, out_dir / "tokenizer.json")
    spec = make_spec(name, cfg["hidden"], names, last_n=last_n, max_length=max(seqs), padding="buckets",
                     padding_side="right", pad_token_id=pad_token_id, dtype=dtype, query_template=query_template,
                     buckets=seqs)
    spec["model_file"] = entries[0]["file"]
    spec["graphs"] = entries
    spec["token_embeddings"] = {"file": TABLE_FILE, "dtype": dtype, "rows": int(table.shape[0]),
                                "dim": int(table.shape[1])}
    spec["pooled_output"] = "embedding" if pool else None
    write_spec(out_dir, spec)
    return spec
