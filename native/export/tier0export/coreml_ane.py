"""`--layout ane`: the CoreML target's forward passes in Apple's Neural Engine layout ("Deploying Transformers on
the Apple Neural Engine", 2022, ml-ane-transformers), behind the same graph inputs and outputs.

Inside the graph:
- activations are channels-first (B, C, 1, S): the embeddings are transposed in once, the chosen hidden
  states transposed out once;
- every linear layer is a 1x1 Conv (weight [out, in, 1, 1]);
- norms reduce over the channel axis (RMSNorm as in coreml.py; LayerNorm written out, since
  LayerNormalization normalises the trailing axes, not axis 1);
- attention is split per head: each head is its own pair of MatMuls on (B, 1, hd, S) slices (Split), with the
  keys on axis 2 and softmax over it, so no (B, H, S, S) transpose is needed; a GQA head reads its KV head's
  slice directly (no repeat).
Parity with the standard layout is exact up to float summation order (unit-tested; the test models use the
standard layout). Whether the Neural Engine runs this faster is what Apple reports for distilbert; it is not
measured here.
"""
import numpy as np

from .coreml import MASKED, _rms_norm, _rotary_tables, _rotate_half_matrix, bert_embeddings


def to_channels_first(b, x, batch, seq, dim):
    """[B, S, D] -> [B, D, 1, S]."""
    t = b.op("Transpose", [x], "/to_channels_first", perm=[0, 2, 1])
    return b.op("Reshape", [t, b.shape(batch, dim, 1, seq)], "/to_channels_first")


def to_sequence_first(b, x, batch, seq, dim, scope):
    """[B, D, 1, S] -> [B, S, D]."""
    r = b.op("Reshape", [x, b.shape(batch, dim, seq)], scope)
    return b.op("Transpose", [r], scope, perm=[0, 2, 1])


def _conv(b, x, weights, prefix, scope):
    """A linear layer as a 1x1 convolution: [B, in, 1, S] -> [B, out, 1, S]."""
    name = prefix + ".weight"

    def kernel():
        w = np.asarray(weights[name])  # [in, out]
        return w.T.reshape(w.shape[1], w.shape[0], 1, 1)

    inputs = [x, b.derived(name + ":conv1x1", kernel)]
    if prefix + ".bias" in weights:
        inputs.append(b.weight(prefix + ".bias", weights))
    return b.op("Conv", inputs, scope, kernel_shape=[1, 1])


def _key_bias(b, mask, batch, seq, causal):
    """Additive bias for transposed scores [B, 1, S_key, S_query]: padded keys, and keys after the query."""
    scope = "/mask"
    pad = b.op("Mul", [b.op("Sub", [b.const("one", 1.0), mask], scope), b.const("masked", MASKED)], scope)
    pad = b.op("Reshape", [pad, b.shape(batch, 1, seq, 1)], scope)
    if not causal:
        return pad
    later = np.tril(np.full((seq, seq), MASKED, np.float32), k=-1)[None, None]  # [key j, query i]: j > i
    return b.op("Add", [pad, b.const(f"causal_keys_{seq}", later)], scope)


def _attention(b, q, k, v, bias, heads, kv_heads, head_dim, batch, seq, scope):
    """q [B, H, hd, S] (scaled), k and v [B, KV, hd, S] -> [B, H*hd, 1, S], one MatMul pair per head."""
    ones = b.const(f"split_ones_{heads}", np.ones(heads, np.int64))
    q_heads = b.op("Split", [q, ones], scope, outputs=heads, axis=1) if heads > 1 else [q]
    k_t = b.op("Transpose", [k], scope, perm=[0, 1, 3, 2])  # [B, KV, S, hd]
    if kv_heads > 1:
        kv_ones = b.const(f"split_ones_{kv_heads}", np.ones(kv_heads, np.int64))
        k_heads = b.op("Split", [k_t, kv_ones], scope, outputs=kv_heads, axis=1)
        v_heads = b.op("Split", [v, kv_ones], scope, outputs=kv_heads, axis=1)
    else:
        k_heads, v_heads = [k_t], [v]
    n_rep = heads // kv_heads
    contexts = []
    for h in range(heads):
        s = f"{scope}/head.{h}"
        scores = b.op("MatMul", [k_heads[h // n_rep], q_heads[h]], s)  # [B, 1, S_key, S_query]
        probs = b.op("Softmax", [b.op("Add", [scores, bias], s)], s, axis=2)
        contexts.append(b.op("MatMul", [v_heads[h // n_rep], probs], s))  # [B, 1, hd, S_query]
    ctx = b.op("Concat", contexts, scope, axis=1) if heads > 1 else contexts[0]
    return b.op("Reshape", [ctx, b.shape(batch, heads * head_dim, 1, seq)], scope)


def qwen3_forward(b, cfg, weights, embeds, mask, batch, seq):
    """Qwen3Model forward in the ANE layout; returns hidden_states[1..L] channels-first [B, D, 1, S]."""
    dim, hd, heads, kv = cfg["hidden"], cfg["head_dim"], cfg["heads"], cfg["kv_heads"]
    bias = _key_bias(b, mask, batch, seq, causal=True)
    cos, sin = _rotary_tables(seq, hd, cfg["theta"])
    cos = b.const(f"rope_cos_t_{seq}", cos.transpose(0, 1, 3, 2))  # [1, 1, hd, S]
    sin = b.const(f"rope_sin_t_{seq}", sin.transpose(0, 1, 3, 2))
    rot = b.const("rotate_half_t", _rotate_half_matrix(hd).T)  # rot @ q = rotate_half along hd
    scale = b.const("attn_scale", np.float32(hd ** -0.5))
    h = to_channels_first(b, embeds, batch, seq, dim)
    states = []
    for i in range(cfg["layers"]):
        p, s = f"layers.{i}", f"/layers.{i}"
        x = _rms_norm(b, h, p + ".input_layernorm.weight", weights, cfg["eps"], s + "/input_layernorm",
                      axis=1, weight_shape=(1, dim, 1, 1))

        def heads_of(name, n, scope, x=x, p=p):
            y = _conv(b, x, weights, f"{p}.self_attn.{name}_proj", scope)
            y = b.op("Reshape", [y, b.shape(batch, n, hd, seq)], scope)
            if name in ("q", "k"):
                y = _rms_norm(b, y, f"{p}.self_attn.{name}_norm.weight", weights, cfg["eps"], scope + "_norm",
                              axis=2, weight_shape=(1, 1, hd, 1))
                y = b.op("Add", [b.op("Mul", [y, cos], scope),
                                 b.op("Mul", [b.op("MatMul", [rot, y], scope), sin], scope)], scope)
            return y

        sa = s + "/self_attn"
        q = b.op("Mul", [heads_of("q", heads, sa + "/q_proj"), scale], sa)
        ctx = _attention(b, q, heads_of("k", kv, sa + "/k_proj"), heads_of("v", kv, sa + "/v_proj"), bias,
                         heads, kv, hd, batch, seq, sa)
        h = b.op("Add", [h, _conv(b, ctx, weights, p + ".self_attn.o_proj", sa + "/o_proj")], s)
        x = _rms_norm(b, h, p + ".post_attention_layernorm.weight", weights, cfg["eps"],
                      s + "/post_attention_layernorm", axis=1, weight_shape=(1, dim, 1, 1))
        m = s + "/mlp"
        gate = _conv(b, x, weights, p + ".mlp.gate_proj", m + "/gate_proj")
        up = _conv(b, x, weights, p + ".mlp.up_proj", m + "/up_proj")
        act = b.op("Mul", [b.op("Mul", [gate, b.op("Sigmoid", [gate], m)], m), up], m)
        h = b.op("Add", [h, _conv(b, act, weights, p + ".mlp.down_proj", m + "/down_proj")], s)
        states.append(h)
    states[-1] = _rms_norm(b, h, "norm.weight", weights, cfg["eps"], "/norm", axis=1, weight_shape=(1, dim, 1, 1))
    return states


def _layer_norm(b, x, prefix, weights, eps, dim, scope):
    """LayerNorm over the channel axis of [B, C, 1, S] (ml-ane-transformers' LayerNormANE)."""
    mean = b.op("ReduceMean", [x], scope, axes=[1], keepdims=1)
    centred = b.op("Sub", [x, mean], scope)
    var = b.op("ReduceMean", [b.op("Mul", [centred, centred], scope)], scope, axes=[1], keepdims=1)
    std = b.op("Sqrt", [b.op("Add", [var, b.const(f"ln_eps_{eps}", np.float32(eps))], scope)], scope)
    y = b.op("Div", [centred, std], scope)
    w = b.derived(prefix + ".weight:c", lambda: weights[prefix + ".weight"].reshape(1, dim, 1, 1))
    bias = b.derived(prefix + ".bias:c", lambda: weights[prefix + ".bias"].reshape(1, dim, 1, 1))
    return b.op("Add", [b.op("Mul", [y, w], scope), bias], scope)


def bert_forward(b, cfg, weights, embeds, mask, batch, seq):
    """BertModel forward in the ANE layout; returns hidden_states[1..L] channels-first [B, D, 1, S]."""
    import math
    dim, heads = cfg["hidden"], cfg["heads"]
    hd = dim // heads
    h = to_channels_first(b, bert_embeddings(b, weights, embeds, seq), batch, seq, dim)
    h = _layer_norm(b, h, "embeddings.LayerNorm", weights, cfg["eps"], dim, "/embeddings/LayerNorm")
    bias = _key_bias(b, mask, batch, seq, causal=False)
    scale = b.const("attn_scale", np.float32(hd ** -0.5))
    inv_sqrt2 = b.const("inv_sqrt2", np.float32(1 / math.sqrt(2)))
    half, one = b.const("half", 0.5), b.const("one", 1.0)
    states = []
    for i in range(cfg["layers"]):
        p, s = f"encoder.layer.{i}", f"/encoder/layer.{i}"
        sa = s + "/attention/self"

        def split(name, h=h, p=p, sa=sa):
            y = _conv(b, h, weights, f"{p}.attention.self.{name}", f"{sa}/{name}")
            return b.op("Reshape", [y, b.shape(batch, heads, hd, seq)], f"{sa}/{name}")

        q = b.op("Mul", [split("query"), scale], sa)
        ctx = _attention(b, q, split("key"), split("value"), bias, heads, heads, hd, batch, seq, sa)
        a = s + "/attention/output"
        h = b.op("Add", [_conv(b, ctx, weights, p + ".attention.output.dense", a + "/dense"), h], a)
        h = _layer_norm(b, h, p + ".attention.output.LayerNorm", weights, cfg["eps"], dim, a + "/LayerNorm")
        inter = _conv(b, h, weights, p + ".intermediate.dense", s + "/intermediate/dense")
        g = s + "/intermediate/gelu"
        erf = b.op("Erf", [b.op("Mul", [inter, inv_sqrt2], g)], g)
        gelu = b.op("Mul", [b.op("Mul", [inter, half], g), b.op("Add", [erf, one], g)], g)
        o = s + "/output"
        h = b.op("Add", [_conv(b, gelu, weights, p + ".output.dense", o + "/dense"), h], o)
        h = _layer_norm(b, h, p + ".output.LayerNorm", weights, cfg["eps"], dim, o + "/LayerNorm")
        states.append(h)
    return states
