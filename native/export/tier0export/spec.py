"""The tier0-model.json spec (CONTRACTS.md, module native): writing, reading, and the fixed key set."""
import json
from pathlib import Path

SPEC_FILE = "tier0-model.json"
MODEL_FILE = "model.onnx"
EXTERNAL_DATA_FILE = "model.onnx_data"
TOKENIZER_FILE = "tokenizer.json"

QWEN3_QUERY_TEMPLATE = (
    "Instruct: Given a web search query, retrieve relevant passages that answer the query\nQuery:{query}"
)
DEFAULT_BUCKETS = [32, 64, 128, 256, 512]
# The Java loader rejects unknown keys, so the writer emits exactly these, in this order.
KEYS = ["name", "dimension", "outputs", "pooling", "last_n", "max_length", "padding", "buckets",
        "padding_side", "pad_token_id", "dtype", "query_template", "mrl_dimension", "model_file",
        "tokenizer_file"]
# Added only by the CoreML target (CONTRACT.md: multi-graph directory); absent = a single-graph directory.
MULTI_GRAPH_KEYS = ["graphs", "token_embeddings", "pooled_output"]


def hidden_state_name(layer: int) -> str:
    """Output name for hidden_states[layer] (0 = embeddings, L = last layer)."""
    return f"hidden_state.{layer}"


def make_spec(name, dimension, outputs, *, last_n=4, pooling="mean", max_length=32, padding="fixed",
              padding_side="right", pad_token_id=0, dtype="float32", query_template=None,
              mrl_dimension=None, buckets=None):
    if last_n > len(outputs):
        raise ValueError(f"last_n {last_n} > {len(outputs)} outputs")
    spec = {
        "name": name, "dimension": int(dimension), "outputs": list(outputs), "pooling": pooling,
        "last_n": int(last_n), "max_length": int(max_length), "padding": padding,
        "buckets": list(buckets or DEFAULT_BUCKETS), "padding_side": padding_side,
        "pad_token_id": int(pad_token_id), "dtype": dtype, "query_template": query_template,
        "mrl_dimension": mrl_dimension, "model_file": MODEL_FILE, "tokenizer_file": TOKENIZER_FILE,
    }
    assert list(spec) == KEYS
    return spec


def write_spec(model_dir, spec):
    path = Path(model_dir) / SPEC_FILE
    path.write_text(json.dumps(spec, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def read_spec(model_dir):
    spec = json.loads((Path(model_dir) / SPEC_FILE).read_text(encoding="utf-8"))
    unknown = set(spec) - set(KEYS) - set(MULTI_GRAPH_KEYS)
    if unknown:
        raise ValueError(f"{model_dir}/{SPEC_FILE}: unknown keys {sorted(unknown)}")
    return spec


def with_changes(spec, **changes):
    """A copy of spec with some fields replaced (validated against the key set)."""
    unknown = set(changes) - set(KEYS) - set(MULTI_GRAPH_KEYS)
    if unknown:
        raise ValueError(f"unknown spec keys {sorted(unknown)}")
    copy = dict(spec)
    copy.update({k: v for k, v in changes.items()})
    return copy
