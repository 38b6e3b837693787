"""Python contenders of `bench/run engine`, run by EngineBenchmark as subprocesses, one timed pass per call.

  peers.py ort       --model DIR --sentences FILE --vectors OUT [--batch 32] [--threads N]
  peers.py fastembed --model DIR --sentences FILE --vectors OUT [--batch 32] [--threads N]

DIR holds model.onnx and tokenizer.json (the bundled all-MiniLM-L6-v2 tier0 embeds); FILE has one sentence per
line (the Java bench's own `Sentences.generate(2000, 5, 60, 42)`, written by it). Loading and one untimed warm-up
pass come first; then one timed pass over all sentences. Prints one JSON line: {"sps", "seconds", "ort_version",
...}; OUT gets the vectors, little-endian float32 [sentences, dimension] in input order, so the Java side can check
that every contender embeds the same graph the same way (min cosine).
"""
import argparse
import json
import os
import shutil
import sys
import tempfile
import time

import numpy as np
import onnxruntime as ort


def ort_pipeline(model_dir, threads):
    """ORT + tokenizers as a careful Python user writes it: length-sorted batches, padded to each batch's longest."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(max_length=256)
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.intra_op_num_threads = threads
    # the same no-spinning setting tier0 uses, so both sides share the cores the same way
    so.add_session_config_entry("session.intra_op.allow_spinning", "0")
    sess = ort.InferenceSession(os.path.join(model_dir, "model.onnx"), so, providers=["CPUExecutionProvider"])
    names = [i.name for i in sess.get_inputs()]

    def embed(sentences, batch):
        enc = tok.encode_batch(sentences)
        order = sorted(range(len(enc)), key=lambda i: len(enc[i].ids))
        out = np.empty((len(sentences), 0), dtype=np.float32)
        vectors = [None] * len(sentences)
        for start in range(0, len(order), batch):
            rows = order[start:start + batch]
            longest = max(len(enc[i].ids) for i in rows)
            ids = np.zeros((len(rows), longest), dtype=np.int64)
            mask = np.zeros((len(rows), longest), dtype=np.int64)
            for r, i in enumerate(rows):
                n = len(enc[i].ids)
                ids[r, :n] = enc[i].ids
                mask[r, :n] = 1
            feed = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in names:
                feed["token_type_ids"] = np.zeros_like(ids)
            hidden = sess.run(None, feed)[0]
            m = mask[:, :, None].astype(np.float32)
            pooled = (hidden * m).sum(axis=1) / m.sum(axis=1)
            pooled /= np.linalg.norm(pooled, axis=1, keepdims=True)
            for r, i in enumerate(rows):
                vectors[i] = pooled[r]
        return np.stack(vectors).astype(np.float32)

    return embed, {"ort_version": ort.__version__}


def fastembed_pipeline(model_dir, threads):
    """fastembed's TextEmbedding on the same graph, loaded from a local directory (no download)."""
    import fastembed
    from fastembed import TextEmbedding
    from fastembed.common.model_description import ModelSource, PoolingType

    local = prepare_fastembed_dir(model_dir)
    name = "tier0-bench/all-MiniLM-L6-v2-local"
    try:
        TextEmbedding.add_custom_model(model=name, pooling=PoolingType.MEAN, normalization=True,
                                       sources=ModelSource(hf="tier0-bench/none"), dim=384, model_file="model.onnx")
    except ValueError:
        pass  # already registered in this process
    model = TextEmbedding(model_name=name, specific_model_path=local, threads=threads)

    def embed(sentences, batch):
        return np.stack(list(model.embed(sentences, batch_size=batch))).astype(np.float32)

    return embed, {"ort_version": ort.__version__, "fastembed_version": fastembed.__version__}


def prepare_fastembed_dir(model_dir):
    """fastembed reads the tokenizer's settings from the HuggingFace side files: write them into a temp copy."""
    local = tempfile.mkdtemp(prefix="tier0-fastembed-")
    for f in ("model.onnx", "tokenizer.json"):
        os.symlink(os.path.abspath(os.path.join(model_dir, f)), os.path.join(local, f))
    side = {
        "config.json": {"model_type": "bert", "hidden_size": 384, "max_position_embeddings": 512,
                        "pad_token_id": 0},
        "tokenizer_config.json": {"model_max_length": 256, "do_lower_case": True, "pad_token": "[PAD]",
                                  "cls_token": "[CLS]", "sep_token": "[SEP]", "unk_token": "[UNK]",
                                  "mask_token": "[MASK]", "tokenizer_class": "BertTokenizer"},
        "special_tokens_map.json": {"pad_token": "[PAD]", "cls_token": "[CLS]", "sep_token": "[SEP]",
                                    "unk_token": "[UNK]", "mask_token": "[MASK]"},
    }
    for f, content in side.items():
        if not os.path.exists(os.path.join(model_dir, f)):
            with open(os.path.join(local, f), "w") as fh:
                json.dump(content, fh)
        else:
            shutil.copy(os.path.join(model_dir, f), local)
    return local


def main():
    p = argparse.ArgumentParser()
    p.add_argument("pipeline", choices=["ort", "fastembed"])
    p.add_argument("--model", required=True)
    p.add_argument("--sentences", required=True)
    p.add_argument("--vectors", required=True)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    a = p.parse_args()
    with open(a.sentences, encoding="utf-8") as fh:
        sentences = fh.read().split("\n")
    if sentences and sentences[-1] == "":
        sentences.pop()
    make = ort_pipeline if a.pipeline == "ort" else fastembed_pipeline
    embed, info = make(a.model, a.threads)
    embed(sentences[:200], a.batch)  # untimed warm-up, as the Java rows get
    start = time.perf_counter()
    vectors = embed(sentences, a.batch)
    seconds = time.perf_counter() - start
    vectors.astype("<f4").tofile(a.vectors)
    info.update({"sps": len(sentences) / seconds, "seconds": seconds, "sentences": len(sentences),
                 "dimension": int(vectors.shape[1]), "python": sys.version.split()[0]})
    print(json.dumps(info))


if __name__ == "__main__":
    main()
