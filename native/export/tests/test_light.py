"""Unit tests of the light (torch-free) parts: spec, pooling, add-outputs, external data, FP16.
Run: native/export/.venv*/bin/python -m unittest discover -s native/export/tests"""
import sys
import tempfile
import unittest
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tier0export import graph  # noqa: E402
from tier0export.pipeline import pool  # noqa: E402
from tier0export.spec import KEYS, make_spec, read_spec, write_spec  # noqa: E402


def toy_encoder(layers=3, dim=4, weight_elems=1):
    """x -> [layer k: MatMul by W_k then Add 1] x layers; names scoped like a torch export."""
    rng = np.random.default_rng(0)
    nodes, inits = [], []
    prev = "x"
    for k in range(layers):
        w = rng.standard_normal((dim, dim * weight_elems)).astype(np.float32)[:, :dim]
        inits.append(numpy_helper.from_array(w, f"W{k}"))
        inits.append(numpy_helper.from_array(np.ones(dim, np.float32), f"B{k}"))
        mm = f"/encoder/layer.{k}/MatMul_output_0"
        out = "last_hidden_state" if k == layers - 1 else f"/encoder/layer.{k}/Add_output_0"
        nodes.append(helper.make_node("MatMul", [prev, f"W{k}"], [mm], name=f"/encoder/layer.{k}/MatMul"))
        nodes.append(helper.make_node("Add", [mm, f"B{k}"], [out], name=f"/encoder/layer.{k}/Add"))
        prev = out
    g = helper.make_graph(nodes, "toy", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["b", "s", dim])],
                          [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["b", "s", dim])],
                          inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])


def run(model_or_path, x, names):
    src = model_or_path if isinstance(model_or_path, str) else model_or_path.SerializeToString()
    return ort.InferenceSession(src, providers=["CPUExecutionProvider"]).run(names, {"x": x})


class SpecTest(unittest.TestCase):
    def test_writes_exactly_the_contract_keys_and_rejects_unknown_ones(self):
        spec = make_spec("m", 8, ["hidden_state.1", "hidden_state.2"], last_n=2, pad_token_id=151643)
        self.assertEqual(list(spec), KEYS)
        with tempfile.TemporaryDirectory() as d:
            write_spec(d, dict(spec))
            self.assertEqual(read_spec(d), spec)
            write_spec(d, dict(spec, extra=1))
            with self.assertRaisesRegex(ValueError, "extra"):
                read_spec(d)

    def test_last_n_cannot_exceed_outputs(self):
        with self.assertRaises(ValueError):
            make_spec("m", 8, ["hidden_state.1"], last_n=2)


class PoolTest(unittest.TestCase):
    def test_masked_mean_of_layer_average_divides_by_real_count_and_ignores_pads(self):
        a = np.array([[[1, 0], [3, 0], [np.nan, np.nan]]], np.float32)  # pad position holds NaN
        b = np.array([[[3, 0], [5, 0], [1e9, 1e9]]], np.float32)
        mask = np.array([[1, 1, 0]])
        np.testing.assert_allclose(pool([a, b], mask, last_n=2), [[1.0, 0.0]])

    def test_uses_only_the_last_n_layers(self):
        first = np.array([[[0, 1]]], np.float32)
        last = np.array([[[1, 0]]], np.float32)
        np.testing.assert_allclose(pool([first, last], np.array([[1]]), last_n=1), [[1.0, 0.0]])

    def test_no_tokens_gives_the_zero_vector(self):
        h = np.ones((1, 3, 2), np.float32)
        np.testing.assert_array_equal(pool([h], np.zeros((1, 3), np.int64), last_n=1), [[0.0, 0.0]])

    def test_clamps_to_fp16_range_before_normalising(self):
        h = np.array([[[np.float32(1e30), 65504.0]]], np.float32)
        np.testing.assert_allclose(pool([h], np.array([[1]]), last_n=1), [[2 ** -0.5, 2 ** -0.5]], rtol=1e-6)


class AddOutputsTest(unittest.TestCase):
    def test_exposes_the_last_n_layer_outputs_with_their_values(self):
        model = toy_encoder(layers=3)
        x = np.random.default_rng(1).standard_normal((2, 5, 4)).astype(np.float32)
        weights = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
        layer_values, h = [], x
        for k in range(3):
            h = h @ weights[f"W{k}"] + weights[f"B{k}"]
            layer_values.append(h)
        expected = layer_values[1:]
        self.assertEqual(graph.layer_outputs(model),
                         {1: "/encoder/layer.0/Add_output_0", 2: "/encoder/layer.1/Add_output_0", 3: "last_hidden_state"})
        edited, names = graph.add_outputs(toy_encoder(layers=3), last_n=2)
        self.assertEqual(names, ["hidden_state.2", "hidden_state.3"])
        self.assertEqual([o.name for o in edited.graph.output], names)
        got = run(edited, x, names)
        for g, e in zip(got, expected):
            np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-6)

    def test_refuses_more_layers_than_the_graph_has(self):
        with self.assertRaises(ValueError):
            graph.add_outputs(toy_encoder(layers=2), last_n=3)


class SaveAndConvertTest(unittest.TestCase):
    def test_external_data_always_writes_one_data_file_that_runtime_loads(self):
        x = np.ones((1, 2, 64), np.float32)
        model = toy_encoder(layers=2, dim=64)
        expected = run(model, x, ["last_hidden_state"])
        with tempfile.TemporaryDirectory() as d:
            graph.save_model(model, d, external_data="always")
            self.assertTrue((Path(d) / "model.onnx_data").is_file())
            self.assertLess((Path(d) / "model.onnx").stat().st_size, 4 * 64 * 64)
            np.testing.assert_array_equal(run(str(Path(d) / "model.onnx"), x, ["last_hidden_state"]), expected)

    def test_auto_keeps_small_models_in_one_file(self):
        with tempfile.TemporaryDirectory() as d:
            graph.save_model(toy_encoder(), d, external_data="auto")
            self.assertFalse((Path(d) / "model.onnx_data").exists())

    def test_fp16_outputs_are_float16_and_close(self):
        model = toy_encoder(layers=2)
        x = np.random.default_rng(2).standard_normal((1, 3, 4)).astype(np.float32)
        expected = run(model, x, ["last_hidden_state"])[0]
        half = graph.to_fp16(toy_encoder(layers=2))
        self.assertEqual(half.graph.output[0].type.tensor_type.elem_type, TensorProto.FLOAT16)
        got = ort.InferenceSession(half.SerializeToString(), providers=["CPUExecutionProvider"]).run(
            None, {"x": x.astype(np.float16)})[0]
        self.assertEqual(got.dtype, np.float16)
        np.testing.assert_allclose(got.astype(np.float32), expected, atol=2e-2)


class OverTheLimitTest(unittest.TestCase):
    """The > 2 GB paths with default options (external_data auto), the limit lowered to this toy's size. The toy
    is far below protobuf's real limit, so this pins the routing (auto -> external data at every step, the
    converter without shape inference), not protobuf's failure itself."""

    def setUp(self):
        self.saved = graph.PROTOBUF_LIMIT
        graph.PROTOBUF_LIMIT = 2 ** 26 + 4096  # over_limit(): more than 4 KiB of weights

    def tearDown(self):
        graph.PROTOBUF_LIMIT = self.saved

    def test_quantize_and_fp16_write_external_data_by_default(self):
        x = np.random.default_rng(3).standard_normal((1, 2, 64)).astype(np.float32)
        with tempfile.TemporaryDirectory() as d:
            src, q, h = Path(d) / "src", Path(d) / "int8", Path(d) / "fp16"
            expected = run(toy_encoder(layers=2, dim=64), x, ["last_hidden_state"])[0]
            graph.save_model(toy_encoder(layers=2, dim=64), src)
            self.assertTrue((src / "model.onnx_data").is_file())
            graph.quantize_int8(src / "model.onnx", q)
            self.assertTrue((q / "model.onnx_data").is_file())
            self.assertEqual(sorted(p.name for p in q.iterdir()), ["model.onnx", "model.onnx_data"])
            got = run(str(q / "model.onnx"), x, ["last_hidden_state"])[0]
            self.assertGreater(float((got * expected).sum() / np.linalg.norm(got) / np.linalg.norm(expected)), 0.99)
            graph.save_model(graph.to_fp16(graph.load_model(src)), h)
            self.assertTrue((h / "model.onnx_data").is_file())
            half = ort.InferenceSession(str(h / "model.onnx"), providers=["CPUExecutionProvider"]).run(
                None, {"x": x.astype(np.float16)})[0]
            np.testing.assert_allclose(half.astype(np.float32), expected, rtol=2e-2, atol=5e-2)


class StaticQuantizeTest(unittest.TestCase):
    def test_static_qdq_is_u8s8_per_channel_on_matmuls_only_and_stays_near_fp32(self):
        rng = np.random.default_rng(5)
        model = toy_encoder(layers=2, dim=64)
        model.opset_import[0].version = 11  # as the LangChain4j MiniLM graph: too old for per-channel QDQ
        calibration = [{"x": rng.standard_normal((4, 8, 64)).astype(np.float32)} for _ in range(8)]
        x = rng.standard_normal((2, 8, 64)).astype(np.float32)
        with tempfile.TemporaryDirectory() as d:
            graph.save_model(model, Path(d) / "src")
            expected = run(str(Path(d) / "src" / "model.onnx"), x, ["last_hidden_state"])[0]
            path = graph.quantize_int8_static(Path(d) / "src" / "model.onnx", Path(d) / "int8", iter(calibration))
            self.assertEqual(sorted(p.name for p in (Path(d) / "int8").iterdir()), ["model.onnx"])  # no leftovers
            q = onnx.load(str(path))
            self.assertGreaterEqual(q.opset_import[0].version, graph.QDQ_MIN_OPSET)
            inits = {t.name: numpy_helper.to_array(t) for t in q.graph.initializer}
            dq = [n for n in q.graph.node if n.op_type == "DequantizeLinear"]
            weights = [n for n in dq if inits.get(n.input[0]) is not None and inits[n.input[0]].dtype == np.int8]
            self.assertEqual(len(weights), 2)  # one per MatMul
            for n in weights:  # symmetric int8, one scale per output channel
                self.assertEqual(inits[n.input[1]].shape, (64,))
                self.assertFalse(inits[n.input[2]].any())
            produced_by = {o: n for n in q.graph.node for o in n.output}
            matmuls = [n for n in q.graph.node if n.op_type == "MatMul"]
            self.assertEqual(len(matmuls), 2)
            consumers = {i: n for n in q.graph.node for i in n.input}
            for n in matmuls:  # both operands arrive through DequantizeLinear: ORT runs them as INT8 kernels
                self.assertTrue(all(produced_by[i].op_type == "DequantizeLinear" for i in n.input))
                # ...and the product stays FP32 (re-quantizing it cost MiniLM 0.09 of min cosine)
                self.assertEqual(consumers[n.output[0]].op_type, "Add")
            for n in q.graph.node:
                if n.op_type == "QuantizeLinear":  # activations: uint8 (asymmetric)
                    self.assertEqual(inits[n.input[2]].dtype, np.uint8)
            self.assertEqual([n.op_type for n in q.graph.node if n.op_type not in
                              ("QuantizeLinear", "DequantizeLinear")], ["MatMul", "Add", "MatMul", "Add"])
            got = run(str(path), x, ["last_hidden_state"])[0]
            cos = (got * expected).sum(-1) / np.linalg.norm(got, axis=-1) / np.linalg.norm(expected, axis=-1)
            self.assertGreater(float(cos.min()), 0.99)


if __name__ == "__main__":
    unittest.main()


class FuseBertTest(unittest.TestCase):
    def test_a_graph_without_attention_to_fuse_is_refused_not_quantized_half_fused(self):
        with tempfile.TemporaryDirectory() as d:
            graph.save_model(toy_encoder(layers=2, dim=64), Path(d) / "src")
            with self.assertRaisesRegex(ValueError, r"0 Attention and 0 SkipLayerNormalization for 2 layers"):
                graph.quantize_int8(Path(d) / "src" / "model.onnx", Path(d) / "int8", fuse=(4, 64))
            self.assertFalse((Path(d) / "int8" / "model.onnx").exists())
