"""Everything that needs torch + transformers: export, the tiny Qwen3, the PyTorch reference pipeline."""
import inspect
import json
import shutil
import tempfile
from pathlib import Path

import numpy as np
import torch

from . import graph
from .spec import QWEN3_QUERY_TEMPLATE, hidden_state_name, make_spec

DECODER_TYPES = {"qwen2", "qwen3", "llama", "mistral", "gemma", "gemma2", "gemma3_text", "phi3", "gpt2", "gpt_neox"}


class HiddenStates(torch.nn.Module):
    """Wraps a Hugging Face base model so the graph's outputs are the chosen hidden_states entries."""

    def __init__(self, model, layers):
        super().__init__()
        self.model = model
        self.layers = list(layers)
        params = inspect.signature(model.forward).parameters
        self.extra = {"use_cache": False} if "use_cache" in params else {}

    def forward(self, input_ids, attention_mask):
        out = self.model(input_ids=input_ids, attention_mask=attention_mask, output_hidden_states=True,
                         return_dict=True, **self.extra)
        return tuple(out.hidden_states[i] for i in self.layers)


def load_hf_model(model_id, dtype=torch.float32, trust_remote_code=False):
    from transformers import AutoModel
    # eager attention: the legacy exporter traces it cleanly, with the padding mask kept as graph inputs.
    model = AutoModel.from_pretrained(model_id, torch_dtype=dtype, attn_implementation="eager",
                                      trust_remote_code=trust_remote_code)
    return model.eval()


def is_decoder(config):
    return config.model_type in DECODER_TYPES or bool(getattr(config, "is_decoder", False))


def default_pad_id(model_id, config, tokenizer_file):
    """The tokenizer's pad token, else EOS (Qwen3: <|endoftext|> = 151643)."""
    if tokenizer_file is not None:
        from tokenizers import Tokenizer
        tok = Tokenizer.from_file(str(tokenizer_file))
        for token in ("<|endoftext|>", "[PAD]", "<pad>"):
            token_id = tok.token_to_id(token)
            if token_id is not None:
                return token_id
    for attr in ("pad_token_id", "eos_token_id"):
        value = getattr(config, attr, None)
        if isinstance(value, list):
            value = value[0]
        if value is not None:
            return value
    return 0


def fetch_tokenizer(model_id, out_dir):
    """tokenizer.json of a hub model or local dir (None if it has none)."""
    local = Path(model_id) / "tokenizer.json"
    if local.exists():
        shutil.copyfile(local, Path(out_dir) / "tokenizer.json")
        return Path(out_dir) / "tokenizer.json"
    if Path(model_id).is_dir():
        return None
    from huggingface_hub import hf_hub_download
    path = hf_hub_download(model_id, "tokenizer.json")
    shutil.copyfile(path, Path(out_dir) / "tokenizer.json")
    return Path(out_dir) / "tokenizer.json"


def _check_tensor_sizes(model):
    """External data lifts protobuf's 2 GB limit for the whole model, not for one tensor: the legacy
    exporter's shape inference still serialises each weight (e.g. Qwen3-8B's FP32 embedding is 2.5 GB)."""
    for name, param in model.named_parameters():
        size = param.numel() * param.element_size()
        if size >= graph.PROTOBUF_LIMIT:
            raise SystemExit(f"{name} is {size / 2**30:.2f} GiB, over protobuf's 2 GiB limit for one tensor: "
                             "export with --dtype float16 (--fp16-method half)")


def _onnx_export(model, args, path, **options):
    """torch 2.5's legacy exporter fails on models over 2 GB in its ONNX shape-inference pass ("The
    serialized model is larger than the 2GiB limit", pytorch#132205, fixed in 2.6 by pytorch#140961).
    That pass only refines type annotations, so for such models we export without it (the option is
    only reachable through the internal _export). verify proves the result against PyTorch."""
    total = sum(p.numel() * p.element_size() for p in model.parameters())
    if total < graph.PROTOBUF_LIMIT - 2 ** 26:
        torch.onnx.export(model, args, path, dynamo=False, **options)
    else:
        from torch.onnx import utils
        utils._export(model, args, path, onnx_shape_inference=False, **options)


def export(model_id, out_dir, *, last_n=4, dtype="float32", max_length=32, padding="fixed",
           padding_side="right", pad_token_id=None, query_template="auto", name=None, tokenizer=None,
           external_data="auto", opset=17, trust_remote_code=False, fp16_method="half"):
    """Hugging Face model -> tier0 model dir (model.onnx [+ model.onnx_data], tokenizer.json, spec)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    half = dtype == "float16" and fp16_method == "half"
    model = load_hf_model(model_id, torch.float16 if half else torch.float32, trust_remote_code)
    config = model.config
    _check_tensor_sizes(model)
    layers_total = config.num_hidden_layers
    layers = list(range(layers_total - last_n + 1, layers_total + 1))
    names = [hidden_state_name(i) for i in layers]

    if tokenizer == "none":
        tokenizer_file = None
    elif tokenizer:
        shutil.copyfile(tokenizer, out_dir / "tokenizer.json")
        tokenizer_file = out_dir / "tokenizer.json"
    else:
        tokenizer_file = fetch_tokenizer(model_id, out_dir)
    if pad_token_id is None:
        pad_token_id = default_pad_id(model_id, config, tokenizer_file)
    if query_template == "auto":
        query_template = QWEN3_QUERY_TEMPLATE if config.model_type == "qwen3" else None
    elif query_template == "none":
        query_template = None

    # Dummy batch with one right-padded row, so the traced graph is the general masked one.
    ids = torch.randint(100, min(config.vocab_size, 1000), (2, 8), generator=torch.Generator().manual_seed(0))
    mask = torch.ones_like(ids)
    mask[1, 5:] = 0
    ids[1, 5:] = pad_token_id
    wrapper = HiddenStates(model, layers).eval()
    with tempfile.TemporaryDirectory(dir=out_dir) as tmp:
        tmp_file = Path(tmp) / "model.onnx"
        with torch.no_grad():
            _onnx_export(
                wrapper, (ids, mask), str(tmp_file), input_names=["input_ids", "attention_mask"],
                output_names=names, opset_version=opset, do_constant_folding=True,
                dynamic_axes={"input_ids": {0: "batch_size", 1: "sequence_length"},
                              "attention_mask": {0: "batch_size", 1: "sequence_length"},
                              **{n: {0: "batch_size", 1: "sequence_length"} for n in names}})
        onnx_model = graph.load_model(tmp_file)
    if dtype == "float16" and not half:
        onnx_model = graph.to_fp16(onnx_model)
    graph.save_model(onnx_model, out_dir, external_data)
    spec = make_spec(name or Path(str(model_id).rstrip("/")).name, config.hidden_size, names, last_n=last_n,
                     max_length=max_length, padding=padding, padding_side=padding_side,
                     pad_token_id=pad_token_id, dtype=dtype, query_template=query_template)
    from .spec import write_spec
    write_spec(out_dir, spec)
    return spec


def build_tiny_qwen3(hf_dir, *, hidden=16, layers=6, heads=2, kv_heads=1, head_dim=8, seed=20261124,
                     init_range=0.1):
    """A random-weight Qwen3Model: the real architecture and vocabulary, tiny widths. Saved HF-format."""
    from transformers import Qwen3Config, Qwen3Model
    config = Qwen3Config(vocab_size=151936, hidden_size=hidden, intermediate_size=hidden * 3,
                         num_hidden_layers=layers, num_attention_heads=heads, num_key_value_heads=kv_heads,
                         head_dim=head_dim, max_position_embeddings=4096, rms_norm_eps=1e-6,
                         rope_theta=1000000.0, tie_word_embeddings=False, sliding_window=None, initializer_range=init_range,
                         bos_token_id=151643, eos_token_id=151643, pad_token_id=151643,
                         torch_dtype="float32")
    torch.manual_seed(seed)
    model = Qwen3Model(config).eval()
    model.save_pretrained(hf_dir, safe_serialization=True)
    return model


def torch_embed(model, tok, texts, last_n, batch_size=16):
    """The independent PyTorch pipeline: hidden_states -> mean of last N -> masked mean -> clamp -> L2.
    Returns (vectors, padded input ids, attention masks)."""
    vectors, all_ids, all_masks = [], [], []
    for start in range(0, len(texts), batch_size):
        encodings = tok.encode_batch(texts[start:start + batch_size])
        ids = torch.tensor([e.ids for e in encodings], dtype=torch.long)
        mask = torch.tensor([e.attention_mask for e in encodings], dtype=torch.long)
        with torch.no_grad():
            out = model(input_ids=ids, attention_mask=mask, output_hidden_states=True, return_dict=True)
        layers = torch.stack([h.float() for h in out.hidden_states[-last_n:]]).mean(dim=0)
        real = mask.bool().unsqueeze(-1)
        summed = torch.where(real, layers, torch.zeros_like(layers)).sum(dim=1)
        count = real.sum(dim=1).clamp(min=1).float()
        pooled = (summed / count).clamp(-65504.0, 65504.0)
        vectors.append(torch.nn.functional.normalize(pooled, p=2, dim=1, eps=1e-12).numpy())
        all_ids.extend(e.ids for e in encodings)
        all_masks.extend(e.attention_mask for e in encodings)
    return np.concatenate(vectors), all_ids, all_masks


def torch_hidden_states(model, ids, mask, names):
    with torch.no_grad():
        out = model(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask),
                    output_hidden_states=True, return_dict=True)
    return [out.hidden_states[int(n.rsplit(".", 1)[1])].float().numpy() for n in names]


def reference(hf_dir, tokenizer_file, spec, texts, out_file):
    from .pipeline import load_tokenizer
    model = load_hf_model(hf_dir)
    tok = load_tokenizer(tokenizer_file, spec)
    vectors, ids, _ = torch_embed(model, tok, texts, spec["last_n"])
    untruncated = load_tokenizer(tokenizer_file, dict(spec, padding="longest"), max_length=1_000_000)
    full_counts = [sum(untruncated.encode(t).attention_mask) for t in texts]
    token_counts = [min(c, spec["max_length"]) for c in full_counts]
    doc = {"spec": spec, "texts": texts, "input_ids": ids, "token_counts": token_counts,
           "truncated": [c > spec["max_length"] for c in full_counts],
           "vectors": [[float(x) for x in v] for v in vectors]}
    Path(out_file).write_text(json.dumps(doc, ensure_ascii=False) + "\n", encoding="utf-8")
    return doc
