"""Unit tests of the CoreML target's graph builder on random tiny Qwen3 and BERT weight dicts (light: no torch).
The parity with the real models is proven by prepare-test-models.sh (verify against the dynamic graphs and the
PyTorch reference); these pin the builder's own rules. Run: python -m unittest discover -s native/export/tests"""
import sys
import tempfile
import unittest
from pathlib import Path

import numpy as np
import onnxruntime as ort

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tier0export import coreml  # noqa: E402
from tier0export.coreml_run import CoremlEmbedder  # noqa: E402
from tier0export.pipeline import pool  # noqa: E402
from tier0export.synthetic import random_qwen3, write_safetensors  # noqa: E402

# The ops the builder may emit: all in ONNX Runtime's CoreML MLProgram table (coreml_supported_mlprogram_ops.md).
MLPROGRAM_OPS = {"Add", "Sub", "Mul", "Div", "MatMul", "Reshape", "Transpose", "Concat", "Softmax", "Sigmoid",
                 "Sqrt", "ReduceMean", "ReduceSum", "Cast", "Clip", "Erf", "LayerNormalization", "Identity"}


def tiny_qwen3(rng, layers=2, hidden=8, heads=2, kv=1, hd=4, vocab=40):
    w = {"embed_tokens.weight": rng.standard_normal((vocab, hidden)).astype(np.float32),
         "norm.weight": (1 + 0.1 * rng.standard_normal(hidden)).astype(np.float32)}
    for i in range(layers):
        p = f"layers.{i}."
        shapes = {"self_attn.q_proj.weight": (hidden, heads * hd), "self_attn.k_proj.weight": (hidden, kv * hd),
                  "self_attn.v_proj.weight": (hidden, kv * hd), "self_attn.o_proj.weight": (heads * hd, hidden),
                  "mlp.gate_proj.weight": (hidden, 3 * hidden), "mlp.up_proj.weight": (hidden, 3 * hidden),
                  "mlp.down_proj.weight": (3 * hidden, hidden), "input_layernorm.weight": (hidden,),
                  "post_attention_layernorm.weight": (hidden,), "self_attn.q_norm.weight": (hd,),
                  "self_attn.k_norm.weight": (hd,)}
        for name, shape in shapes.items():
            scale = 0.3 if len(shape) == 2 else 0.1
            w[p + name] = ((len(shape) == 1) + scale * rng.standard_normal(shape)).astype(np.float32)
    return w


def tiny_bert(rng, layers=2, hidden=8, vocab=40):
    w = {"embeddings.word_embeddings.weight": rng.standard_normal((vocab, hidden)).astype(np.float32),
         "embeddings.position_embeddings.weight": rng.standard_normal((64, hidden)).astype(np.float32),
         "embeddings.token_type_embeddings.weight": rng.standard_normal((2, hidden)).astype(np.float32),
         "embeddings.LayerNorm.weight": np.ones(hidden, np.float32),
         "embeddings.LayerNorm.bias": np.zeros(hidden, np.float32)}
    for i in range(layers):
        p = f"encoder.layer.{i}."
        for name, (n_in, n_out) in {"attention.self.query": (hidden, hidden), "attention.self.key": (hidden, hidden),
                                    "attention.self.value": (hidden, hidden), "attention.output.dense": (hidden, hidden),
                                    "intermediate.dense": (hidden, 4 * hidden), "output.dense": (4 * hidden, hidden)}.items():
            w[p + name + ".weight"] = (0.3 * rng.standard_normal((n_in, n_out))).astype(np.float32)
            w[p + name + ".bias"] = (0.1 * rng.standard_normal(n_out)).astype(np.float32)
        for ln in ("attention.output.LayerNorm", "output.LayerNorm"):
            w[p + ln + ".weight"] = np.ones(hidden, np.float32)
            w[p + ln + ".bias"] = np.zeros(hidden, np.float32)
    return w


def run(model, embeds, mask, names):
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(names, {"inputs_embeds": embeds, "attention_mask": mask})


class CoremlGraphTest(unittest.TestCase):
    def setUp(self):
        self.rng = np.random.default_rng(7)

    def test_rotate_half_matrix_is_rotate_half(self):
        x = self.rng.standard_normal((3, 8)).astype(np.float32)
        expected = np.concatenate([-x[:, 4:], x[:, :4]], axis=1)
        np.testing.assert_array_equal(x @ coreml._rotate_half_matrix(8), expected)

    def test_graphs_are_static_and_use_only_mlprogram_ops(self):
        for weights, cfg in ((w := tiny_qwen3(self.rng), coreml.qwen3_config(w)),
                             (w2 := tiny_bert(self.rng), coreml.bert_config(w2, num_heads=2))):
            for pooled in (False, True):
                for dtype in ("float32", "float16"):
                    model, _ = coreml.build_graph(cfg, weights, 2, 8, dtype, 2, pooled)
                    self.assertLessEqual({n.op_type for n in model.graph.node}, MLPROGRAM_OPS)
                    for value in list(model.graph.input) + list(model.graph.output):
                        dims = value.type.tensor_type.shape.dim
                        self.assertTrue(all(d.dim_value > 0 and not d.dim_param for d in dims), value.name)

    def test_ane_layout_equals_the_standard_layout_with_only_mlprogram_ops(self):
        """Channels-first (B, C, 1, S), 1x1 Conv linears, per-head attention: same numbers, same interface."""
        for weights, cfg in ((w := tiny_qwen3(self.rng, heads=4, kv=2), coreml.qwen3_config(w)),
                             (w2 := tiny_bert(self.rng), coreml.bert_config(w2, num_heads=2))):
            embeds = self.rng.standard_normal((2, 8, 8)).astype(np.float32)
            mask = np.ones((2, 8), np.float32)
            mask[1, 5:] = 0
            for pooled in (False, True):
                standard, names = coreml.build_graph(cfg, weights, 2, 8, "float32", 2, pooled)
                ane, ane_names = coreml.build_graph(cfg, weights, 2, 8, "float32", 2, pooled, layout="ane")
                self.assertLessEqual({n.op_type for n in ane.graph.node}, MLPROGRAM_OPS | {"Conv", "Split"})
                self.assertIn("Conv", {n.op_type for n in ane.graph.node})
                outs = ["embedding"] if pooled else names
                self.assertEqual([o.name for o in ane.graph.output], outs)
                for got, want in zip(run(ane, embeds, mask, outs), run(standard, embeds, mask, outs)):
                    if not pooled:
                        got, want = got[mask.astype(bool)], want[mask.astype(bool)]
                    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)

    def _real_rows_do_not_depend_on_the_bucket(self, weights, cfg):
        """The same right-padded rows in s8 and s16 graphs give the same hidden states on real tokens: the
        padding mask, causal mask and positions are right; b2 graphs with a filler row agree with b1."""
        table = coreml.token_table(weights, cfg)
        ids = [[3, 5, 7], [1, 2, 3, 4, 5, 6, 7, 8]]
        results = {}
        for batch, seq in ((2, 8), (2, 16), (1, 16)):
            model, names = coreml.build_graph(cfg, weights, batch, seq, "float32", 1)
            embeds = np.zeros((batch, seq, cfg["hidden"]), np.float32)
            mask = np.zeros((batch, seq), np.float32)
            for r, row in enumerate(ids[:batch]):
                embeds[r, :len(row)] = table[row]
                mask[r, :len(row)] = 1
            results[(batch, seq)] = run(model, embeds, mask, names)[0]
        np.testing.assert_allclose(results[(2, 8)][0, :3], results[(2, 16)][0, :3], rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(results[(2, 8)][1], results[(2, 16)][1, :8], rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(results[(1, 16)][0, :3], results[(2, 16)][0, :3], rtol=1e-5, atol=1e-5)

    def test_qwen3_real_rows_do_not_depend_on_the_bucket(self):
        w = tiny_qwen3(self.rng, heads=4, kv=2)
        self._real_rows_do_not_depend_on_the_bucket(w, coreml.qwen3_config(w))

    def test_bert_real_rows_do_not_depend_on_the_bucket(self):
        w = tiny_bert(self.rng)
        self._real_rows_do_not_depend_on_the_bucket(w, coreml.bert_config(w, num_heads=2))

    def test_pooled_output_equals_the_pooler_and_an_empty_row_is_zero(self):
        w = tiny_qwen3(self.rng)
        cfg = coreml.qwen3_config(w)
        embeds = self.rng.standard_normal((3, 8, 8)).astype(np.float32)
        mask = np.zeros((3, 8), np.float32)
        mask[0, :5] = 1
        mask[1, :8] = 1  # row 2: no tokens
        states, names = coreml.build_graph(cfg, w, 3, 8, "float32", 2)
        pooled, _ = coreml.build_graph(cfg, w, 3, 8, "float32", 2, pool=True)
        expected = pool(run(states, embeds, mask, names), mask, 2)
        got = run(pooled, embeds, mask, ["embedding"])[0]
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
        np.testing.assert_array_equal(got[2], np.zeros(8, np.float32))

    def test_directory_shares_one_weights_file_and_follows_the_contract(self):
        w = tiny_qwen3(self.rng)
        cfg = coreml.qwen3_config(w)
        with tempfile.TemporaryDirectory() as d:
            spec = coreml.export_dir(cfg, w, d, name="t", last_n=2, dtype="float16", max_length=20,
                                     batches=(8, 1), sequences=(8, 16, 32), pad_token_id=0)
            self.assertEqual(spec["padding"], "buckets")
            self.assertEqual(spec["buckets"], [8, 16])
            self.assertEqual(spec["max_length"], 16)
            self.assertEqual([(g["batch"], g["sequence"]) for g in spec["graphs"]], [(1, 8), (8, 8), (1, 16), (8, 16)])
            self.assertEqual(spec["token_embeddings"], {"file": "token-embeddings.bin", "dtype": "float16",
                                                        "rows": 40, "dim": 8})
            self.assertIsNone(spec["pooled_output"])
            table = np.fromfile(Path(d) / "token-embeddings.bin", dtype="<f2").reshape(40, 8)
            np.testing.assert_array_equal(table, w["embed_tokens.weight"].astype(np.float16))
            weights_bytes = (Path(d) / "graphs" / "weights.bin").stat().st_size
            self.assertLess(weights_bytes, 2 * sum(v.nbytes for k, v in w.items() if "embed" not in k) // 2 + 4096)
            for g in spec["graphs"]:
                session = ort.InferenceSession(str(Path(d) / g["file"]), providers=["CPUExecutionProvider"])
                self.assertEqual(session.get_inputs()[0].type, "tensor(float16)")
                self.assertEqual(session.get_inputs()[0].shape, [g["batch"], g["sequence"], 8])


class HuggingFaceWeightsTest(unittest.TestCase):
    def test_reads_safetensors_transposes_linears_strips_model_prefix_and_widens_bf16(self):
        w = tiny_qwen3(np.random.default_rng(5))
        bf16_values = np.array([[1.5, -0.25], [3.0, 0.0078125]], np.float32)
        tensors = {("model." + k): ("F32", v.T if v.ndim == 2 and "embed" not in k else v) for k, v in w.items()}
        tensors["model.extra_bf16"] = ("BF16", (bf16_values.view(np.uint32) >> 16).astype(np.uint16))
        with tempfile.TemporaryDirectory() as d:
            write_safetensors(Path(d) / "model.safetensors", tensors)
            (Path(d) / "config.json").write_text('{"rms_norm_eps": 1e-5, "rope_theta": 10000.0}')
            config, got = coreml.weights_from_hf(d)
        np.testing.assert_array_equal(got["extra_bf16"], bf16_values)
        del got["extra_bf16"]
        self.assertEqual(sorted(got), sorted(w))
        for name, value in w.items():
            np.testing.assert_array_equal(got[name], value, err_msg=name)
        cfg = coreml.qwen3_config(got, config)
        self.assertEqual((cfg["eps"], cfg["theta"], cfg["heads"], cfg["kv_heads"]), (1e-5, 10000.0, 2, 1))


    def test_random_qwen3_dir_reads_back_with_its_widths(self):
        with tempfile.TemporaryDirectory() as d:
            random_qwen3(d, layers=1, widths={"hidden_size": 32, "intermediate_size": 48, "num_attention_heads": 4,
                                              "num_key_value_heads": 2, "head_dim": 8, "vocab_size": 50})
            config, weights = coreml.weights_from_hf(d)
            cfg = coreml.qwen3_config(weights, config)
            self.assertEqual((cfg["layers"], cfg["hidden"], cfg["heads"], cfg["kv_heads"], cfg["head_dim"]), (1, 32, 4, 2, 8))
            self.assertEqual(weights["layers.0.mlp.down_proj.weight"].shape, (48, 32))  # [in, out]
            self.assertEqual(weights["layers.0.mlp.down_proj.weight"].dtype, np.float32)


class CoremlEmbedderTest(unittest.TestCase):
    def test_engine_rules_pick_the_smallest_bucket_and_batch_and_split_big_batches(self):
        w = tiny_qwen3(np.random.default_rng(3))
        with tempfile.TemporaryDirectory() as d:
            coreml.export_dir(coreml.qwen3_config(w), w, d, name="t", last_n=2, dtype="float32", max_length=16,
                              batches=(1, 4), sequences=(8, 16), pad_token_id=0)
            tok = Path(d) / "tok.json"
            tok.write_text(WORD_LEVEL_TOKENIZER)
            e = CoremlEmbedder(d, tok)
            short, long_ = "a b c", " ".join(["a"] * 12)
            vectors = e.embed([short, long_, short, short, short, short, "b"])  # 4 rows, then 3: batch 4 again
            vectors = np.concatenate([vectors, e.embed([short])])
            self.assertEqual(e.served, [(4, 16), (4, 8), (1, 8)])
            np.testing.assert_allclose(vectors[0], vectors[5], rtol=1e-5, atol=1e-6)  # s16 vs s8, b4 vs b4
            np.testing.assert_allclose(vectors[0], vectors[7], rtol=1e-5, atol=1e-6)  # b4 vs b1


WORD_LEVEL_TOKENIZER = """{"version": "1.0", "truncation": null, "padding": null, "added_tokens": [],
 "normalizer": null, "pre_tokenizer": {"type": "Whitespace"}, "post_processor": null, "decoder": null,
 "model": {"type": "WordLevel", "vocab": {"[PAD]": 0, "a": 1, "b": 2, "c": 3, "[UNK]": 4}, "unk_token": "[UNK]"}}"""


if __name__ == "__main__":
    unittest.main()
