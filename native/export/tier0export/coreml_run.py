"""A CoreML-target (multi-graph) model directory run by Python ONNX Runtime on the CPU, following the engine
rules of CONTRACT.md: tokenise without padding (truncate at max_length), pick the smallest sequence bucket
that holds the longest row and the smallest batch that holds the rows (more rows: split; fewer: fill with
all-pad rows whose mask is 0), gather the token-embedding rows, run, pool (or take the pooled output).
"""
import json
from pathlib import Path

import numpy as np

from .pipeline import pool
from .spec import TOKENIZER_FILE, read_spec

NP_TYPES = {"float32": np.float32, "float16": np.float16}


def is_multi_graph(model_dir):
    return "graphs" in read_spec(model_dir)


class CoremlEmbedder:
    """Embeds texts with a CoreML-target directory; graph(...) runs one chosen graph."""

    def __init__(self, model_dir, tokenizer_file=None, max_length=None):
        import onnxruntime as ort
        from tokenizers import Tokenizer
        self.dir = Path(model_dir)
        self.spec = read_spec(self.dir)
        table = self.spec["token_embeddings"]
        self.table = np.memmap(self.dir / table["file"], dtype=np.dtype(NP_TYPES[table["dtype"]]).newbyteorder("<"),
                               mode="r", shape=(table["rows"], table["dim"]))
        options = ort.SessionOptions()
        options.log_severity_level = 3
        self.sessions = {}
        for g in self.spec["graphs"]:
            session = ort.InferenceSession(str(self.dir / g["file"]), options, providers=["CPUExecutionProvider"])
            elem = session.get_inputs()[0].type
            self.sessions[(g["batch"], g["sequence"])] = (session, np.float16 if "float16" in elem else np.float32)
        self.batches = sorted({b for b, _ in self.sessions})
        self.sequences = sorted({s for _, s in self.sessions})
        self.max_length = max_length or self.spec["max_length"]
        self.tok = Tokenizer.from_file(str(tokenizer_file or self.dir / self.spec.get("tokenizer_file", TOKENIZER_FILE)))
        self.tok.no_padding()
        self.tok.enable_truncation(max_length=self.max_length)
        self.served = []  # (batch, sequence) of every graph run, in order

    def token_ids(self, texts):
        return [e.ids for e in self.tok.encode_batch(list(texts))]

    def run_graph(self, batch, seq, rows):
        """rows: token-id lists (each <= seq, at most batch of them) -> [len(rows), dim] pooled vectors."""
        session, dtype = self.sessions[(batch, seq)]
        pad = self.spec["pad_token_id"]
        ids = np.full((batch, seq), pad, np.int64)
        mask = np.zeros((batch, seq), np.float32)
        for r, row in enumerate(rows):
            ids[r, :len(row)] = row
            mask[r, :len(row)] = 1.0
        feed = {"inputs_embeds": np.asarray(self.table[ids.reshape(-1)]).reshape(batch, seq, -1).astype(dtype),
                "attention_mask": mask.astype(dtype)}
        self.served.append((batch, seq))
        if self.spec.get("pooled_output") == "embedding":
            out = session.run(["embedding"], feed)[0].astype(np.float32)
        else:
            out = pool(session.run(self.spec["outputs"], feed), mask, self.spec["last_n"])
        return out[:len(rows)]

    def embed(self, texts):
        ids = self.token_ids(texts)
        out = []
        largest = self.batches[-1]
        for start in range(0, len(ids), largest):
            rows = ids[start:start + largest]
            longest = max(len(r) for r in rows)
            seq = next(s for s in self.sequences if s >= longest)
            batch = next(b for b in self.batches if b >= len(rows))
            out.append(self.run_graph(batch, seq, rows))
        return np.concatenate(out)

    def embed_with(self, batch, seq, texts):
        """Every text (that fits seq) through graph (batch, seq) only; returns (indices used, vectors)."""
        ids = self.token_ids(texts)
        used = [i for i, r in enumerate(ids) if len(r) <= seq]
        vectors = [self.run_graph(batch, seq, [ids[i] for i in used[s:s + batch]]) for s in range(0, len(used), batch)]
        return used, np.concatenate(vectors)


def boundary_texts(tok_file, sequences, max_length):
    """Texts of exactly S and S+1 tokens for each bucket S (the tokenizer's own count, special tokens
    included), so every bucket is filled to its edge and just past it."""
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(str(tok_file))
    tok.no_padding()
    tok.no_truncation()
    texts = []
    for target in sorted(set(sequences)):
        for want in (target, target + 1):
            for words in range(want, 0, -1):
                text = " ".join(["word"] * words)
                n = len(tok.encode(text).ids)
                if n == want:
                    texts.append(text)
                    break
                if n < want:
                    text = ("word " * words) + "!" * (want - n)
                    if len(tok.encode(text).ids) == want:
                        texts.append(text)
                    break
    return texts


def reference_vectors(reference_file):
    doc = json.loads(Path(reference_file).read_text(encoding="utf-8"))
    return doc["texts"], np.array(doc["vectors"], dtype=np.float32), doc["spec"]["max_length"]
