"""verify: the exported graph in Python ONNX Runtime against PyTorch (or against another model dir).

Prints max |diff| of the hidden states, cosine of the pooled vectors, and the padding check: each text
embedded alone without padding vs in a padded batch (right padding + causal or bidirectional masking
must give the same vector).
"""
import json
from pathlib import Path

import numpy as np

from .pipeline import OnnxEmbedder, cosine_rows, encode, load_tokenizer
from .spec import TOKENIZER_FILE
from .texts import sentences

# Pooled-vector cosine floors when no --min-cosine is given.
FLOORS = {"float32": 0.99999, "float16": 0.999, "int8": 0.98}


def _tokenizer_file(a, model_dir):
    if a.tokenizer:
        return a.tokenizer
    return str(Path(model_dir) / TOKENIZER_FILE)


def _report(label, cos, diff=None):
    extra = f"  max|diff| {diff:.3g}" if diff is not None else ""
    print(f"  {label:<40} cosine min {cos.min():.7f}  mean {cos.mean():.7f}{extra}")


def _padding_check(embedder, texts):
    """Each text alone (no padding) vs the spec's padding in a batch."""
    batched = embedder.embed(texts)
    spec = dict(embedder.spec, padding="longest")
    single_tok = load_tokenizer(embedder.tok_file, spec)
    alone = []
    from .pipeline import pool
    for text in texts:
        ids, mask, types = encode(single_tok, [text])
        if ids.shape[1] == 0:  # no tokens at all: the pipeline's answer is the zero vector
            alone.append(np.zeros(_dimension(embedder), dtype=np.float32))
            continue
        alone.append(pool(embedder.hidden_states(ids, mask, types), mask, embedder.spec["last_n"])[0])
    return cosine_rows(batched, np.stack(alone))


def _dimension(embedder):
    return embedder.spec["dimension"]


def _check_reference(embedder, reference_file, floor):
    """The committed reference.json (PyTorch pipeline) against this dir: same token ids, same vectors."""
    doc = json.loads(Path(reference_file).read_text(encoding="utf-8"))
    ids, _, _ = encode(embedder.tok, doc["texts"])
    same_ids = ids.tolist() == doc["input_ids"]
    cos = cosine_rows(embedder.embed(doc["texts"]), np.array(doc["vectors"], dtype=np.float32))
    _report(f"vs {reference_file} ({len(doc['texts'])} texts)", cos)
    print(f"  token ids identical to the reference: {same_ids}")
    return same_ids and bool(cos.min() >= floor)


def run(a):
    model_dir = Path(a.dir)
    tok_file = _tokenizer_file(a, model_dir)
    embedder = OnnxEmbedder(model_dir, tok_file)
    embedder.tok_file = tok_file
    if a.last_n:
        embedder.spec["last_n"] = a.last_n
    spec = embedder.spec
    kind = "int8" if "int8" in spec["name"] else spec["dtype"]
    floor = a.min_cosine if a.min_cosine is not None else FLOORS[kind]
    texts = sentences(a.texts)
    print(f"verify {model_dir} ({spec['name']}, {kind}, {len(texts)} texts, last_n {spec['last_n']}, "
          f"padding {spec['padding']}/{spec['padding_side']} to {spec['max_length']})")
    ok = True
    vectors = embedder.embed(texts)
    if a.torch_model:
        from . import torch_side
        model = torch_side.load_hf_model(a.torch_model)
        ids, mask, _ = encode(embedder.tok, texts[:16])
        onnx_h = embedder.hidden_states(ids, mask)
        torch_h = torch_side.torch_hidden_states(model, ids, mask, spec["outputs"])
        real = mask.astype(bool)[..., None]
        diff = max(float(np.abs(np.where(real, o.astype(np.float32) - t, 0)).max()) for o, t in zip(onnx_h, torch_h))
        ref, _, _ = torch_side.torch_embed(model, embedder.tok, texts, spec["last_n"])
        cos = cosine_rows(vectors, ref)
        _report("ONNX vs PyTorch FP32 (pooled)", cos, float(np.abs(vectors - ref).max()))
        print(f"  hidden states max|diff| on real tokens: {diff:.3g}")
        ok &= bool(cos.min() >= floor)
    if a.against:
        other = OnnxEmbedder(a.against, a.tokenizer or None)
        if a.last_n:
            other.spec["last_n"] = a.last_n
        ref = other.embed(texts)
        cos = cosine_rows(vectors, ref)
        _report(f"vs {a.against}", cos, float(np.abs(vectors - ref).max()))
        ok &= bool(cos.min() >= floor)
    if a.reference:
        ok &= _check_reference(embedder, a.reference, floor)
    pad_cos = _padding_check(embedder, texts)
    _report("padded batch vs each text alone", pad_cos)
    ok &= bool(pad_cos.min() >= floor)
    print(f"  {'PASS' if ok else 'FAIL'} (floor {floor})")
    return ok
