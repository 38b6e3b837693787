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


def _open(model_dir, tokenizer, max_length):
    """A single-graph (OnnxEmbedder) or CoreML-target (CoremlEmbedder) dir, tokenising to max_length."""
    from .coreml_run import CoremlEmbedder, is_multi_graph
    if is_multi_graph(model_dir):
        return CoremlEmbedder(model_dir, tokenizer, max_length)
    return OnnxEmbedder(model_dir, tokenizer, max_length)


def run_coreml(a, floor):
    """A CoreML-target dir: every graph on its own (all texts that fit it, rows split and filled as the
    engine does), then the engine's own bucket/batch choice, against --against and/or --reference."""
    from .coreml_run import CoremlEmbedder, boundary_texts, reference_vectors
    model_dir = Path(a.dir)
    tok_file = _tokenizer_file(a, model_dir)
    emb = CoremlEmbedder(model_dir, tok_file)
    spec = emb.spec
    texts = sentences(a.texts)
    texts += [t for t in boundary_texts(tok_file, emb.sequences, emb.max_length) if t not in texts]
    print(f"verify {model_dir} ({spec['name']}, CoreML target, {spec['dtype']}, graphs "
          f"{', '.join(f'b{b}-s{s}' for b, s in sorted(emb.sessions, key=lambda k: (k[1], k[0])))}; "
          f"{len(texts)} texts incl. {emb.sequences} and +1 tokens; pooled in graph: {spec.get('pooled_output')})")
    ok = True

    def compare(label, embedder, texts, ref):
        nonlocal ok
        for batch, seq in sorted(embedder.sessions, key=lambda k: (k[1], k[0])):
            used, vectors = embedder.embed_with(batch, seq, texts)
            cos = cosine_rows(vectors, ref[used])
            _report(f"b{batch}-s{seq} vs {label} ({len(used)} texts)", cos)
            ok &= bool(cos.min() >= floor)
        cos = cosine_rows(embedder.embed(texts), ref)
        _report(f"engine buckets vs {label} ({len(texts)} texts)", cos)
        ok &= bool(cos.min() >= floor)

    if a.torch_model:  # the PyTorch pipeline at the same max_length (needs the torch venv)
        from . import torch_side
        tok = load_tokenizer(tok_file, dict(spec, padding="longest"), emb.max_length)
        ref, _, _ = torch_side.torch_embed(torch_side.load_hf_model(a.torch_model), tok, texts, spec["last_n"])
        compare(f"PyTorch {a.torch_model}", emb, texts, ref)
    if a.against:
        other = _open(a.against, a.tokenizer or None, emb.max_length)
        compare(a.against, emb, texts, other.embed(texts))
    if a.reference:
        ref_texts, ref_vectors, ref_max = reference_vectors(a.reference)
        compare(f"{Path(a.reference).name} (PyTorch, max_length {ref_max})",
                CoremlEmbedder(model_dir, tok_file, ref_max), ref_texts, ref_vectors)
    if not (a.against or a.reference or a.torch_model):
        raise SystemExit("verify of a CoreML-target dir needs --torch-model, --against DIR and/or --reference FILE")
    print(f"  {'PASS' if ok else 'FAIL'} (floor {floor})")
    return ok


def run(a):
    from .coreml_run import is_multi_graph
    if is_multi_graph(a.dir):
        spec_dtype = json.loads((Path(a.dir) / "tier0-model.json").read_text())["dtype"]
        return run_coreml(a, a.min_cosine if a.min_cosine is not None else FLOORS[spec_dtype])
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
