"""ONNX graph edits that need no torch: saving (external data), add-outputs, FP16, INT8."""
import re
import shutil
from pathlib import Path

import onnx
from onnx import TensorProto, helper

from .spec import EXTERNAL_DATA_FILE, MODEL_FILE, hidden_state_name

PROTOBUF_LIMIT = 2 * 1024 ** 3
# The part of a torch-exported node name that says which transformer layer it belongs to:
# "/encoder/layer.5/output/LayerNorm/Add_1" (BERT family), "/layers.3/mlp/down_proj/MatMul" (decoders).
LAYER_SCOPE = re.compile(r"^/(?:[^/]+/)*?(?:layer|layers|h|block|blocks)\.(\d+)/")


def tensor_bytes(model: onnx.ModelProto) -> int:
    """Size of the weights held in the proto (initializers and Constant nodes)."""
    total = sum(len(t.raw_data) for t in model.graph.initializer)
    total += sum(len(a.t.raw_data) for n in model.graph.node for a in n.attribute if a.type == a.TENSOR)
    return total


def over_limit(size_bytes) -> bool:
    """True when weights of this size cannot sit in one protobuf (2 GB, less a margin for the graph itself)."""
    return size_bytes > PROTOBUF_LIMIT - 2 ** 26


def file_weight_bytes(model_file) -> int:
    """Bytes of a model on disk: the .onnx plus every external data file next to it that it names."""
    model_file = Path(model_file)
    header = onnx.load(str(model_file), load_external_data=False)
    files = {entry.value for t in header.graph.initializer for entry in t.external_data if entry.key == "location"}
    return model_file.stat().st_size + sum((model_file.parent / f).stat().st_size for f in files)


def save_model(model: onnx.ModelProto, model_dir, external_data="auto") -> Path:
    """Write model_dir/model.onnx; weights go to model_dir/model.onnx_data when external_data is
    'always', or 'auto' and the proto would pass protobuf's 2 GB limit."""
    model_dir = Path(model_dir)
    model_dir.mkdir(parents=True, exist_ok=True)
    path = model_dir / MODEL_FILE
    data = model_dir / EXTERNAL_DATA_FILE
    if data.exists():
        data.unlink()  # onnx appends to an existing data file
    external = external_data == "always" or (external_data == "auto" and over_limit(tensor_bytes(model)))
    if external:
        onnx.save_model(model, str(path), save_as_external_data=True, all_tensors_to_one_file=True,
                        location=EXTERNAL_DATA_FILE, size_threshold=1024, convert_attribute=True)
    else:
        onnx.save_model(model, str(path))
    onnx.checker.check_model(str(path))  # path form: works for models with external data
    return path


def load_model(model_dir_or_file) -> onnx.ModelProto:
    """Load a model with its external data (if any) into memory."""
    path = Path(model_dir_or_file)
    if path.is_dir():
        path = path / MODEL_FILE
    return onnx.load(str(path), load_external_data=True)


def _output_shape(model, tensor):
    inferred = onnx.shape_inference.infer_shapes(model)
    for vi in list(inferred.graph.value_info) + list(inferred.graph.output):
        if vi.name == tensor:
            return vi.type.tensor_type.elem_type, [d.dim_param or (d.dim_value or None) for d in vi.type.tensor_type.shape.dim]
    return TensorProto.FLOAT, ["batch_size", "sequence_length", None]


def layer_outputs(model: onnx.ModelProto) -> dict:
    """{layer number (1-based, as in hidden_states) -> tensor name}: the output of the last node in each
    layer's name scope; hidden_states[0] (embeddings) is not needed for last-N pooling."""
    last_node = {}
    for node in model.graph.node:
        m = LAYER_SCOPE.match(node.name)
        if m:
            last_node[int(m.group(1))] = node
    if not last_node:
        raise ValueError("no layer-scoped node names (/encoder/layer.N/...) found; pass --tensors explicitly")
    return {index + 1: node.output[0] for index, node in sorted(last_node.items())}


def add_outputs(model: onnx.ModelProto, last_n: int, tensors=None, keep_existing=False):
    """Expose the last last_n layer outputs as graph outputs hidden_state.<layer>. Returns (model, names)."""
    found = layer_outputs(model) if tensors is None else {i + 1: t for i, t in enumerate(tensors)}
    layers = sorted(found)[-last_n:]
    if len(layers) < last_n:
        raise ValueError(f"model has {len(found)} layers, asked for the last {last_n}")
    names = []
    new_outputs = []
    for layer in layers:
        tensor = found[layer]
        name = hidden_state_name(layer)
        elem, dims = _output_shape(model, tensor)
        model.graph.node.append(helper.make_node("Identity", [tensor], [name], name=f"tier0/{name}"))
        new_outputs.append(helper.make_tensor_value_info(name, elem, dims))
        names.append(name)
    if not keep_existing:
        del model.graph.output[:]
    model.graph.output.extend(new_outputs)
    return model, names


def to_fp16(model: onnx.ModelProto) -> onnx.ModelProto:
    """All float tensors to FP16, graph outputs included (keep_io_types=False: the engine reads FP16).
    Over 2 GB, ONNX shape inference cannot serialise the model, so it is skipped: the converter then types
    the tensors it casts from the graph itself (the result is verified like any other)."""
    from onnxconverter_common import float16
    return float16.convert_float_to_float16(model, keep_io_types=False,
                                            disable_shape_infer=over_limit(tensor_bytes(model)))


# What fuse_bert must find in a BERT-family encoder, by fused operator: one per layer at least (EmbedLayerNormalization
# only where the graph's embeddings match ORT's pattern, so it is not required).
BERT_FUSIONS_PER_LAYER = ("Attention", "SkipLayerNormalization")


def fuse_bert(src_model_file, num_heads: int, hidden_size: int) -> onnx.ModelProto:
    """The graph with ONNX Runtime's offline BERT fusions (onnxruntime.transformers.optimizer, model_type 'bert',
    CPU, opt_level 0 = the Python fusions only, no session pass): Attention, SkipLayerNormalization, BiasGelu and
    EmbedLayerNormalization in place of their subgraphs. ORT's session-time optimiser does not build these from a
    torch export, and a quantizer run on the unfused graph leaves attention and LayerNorm as dozens of small FP32
    ops; run on the fused graph it writes QAttention (INT8 Q/K/V projection in one kernel). Graph outputs,
    hidden_state.<layer> included, keep their names. num_heads and hidden_size are the model's (config.json:
    num_attention_heads, hidden_size): ORT cannot read them off a torch export reliably.
    Raises ValueError when fewer than one Attention and two SkipLayerNormalization per layer were fused (wrong
    num_heads / hidden_size, or not a BERT-shaped graph): a half-fused graph would be silently slow."""
    from onnxruntime.transformers import optimizer
    from onnxruntime.transformers.fusion_options import FusionOptions
    fused = optimizer.optimize_model(str(src_model_file), model_type="bert", num_heads=num_heads,
                                     hidden_size=hidden_size, opt_level=0, use_gpu=False,
                                     optimization_options=FusionOptions("bert"))
    stats = fused.get_fused_operator_statistics()
    layers = len(layer_outputs(onnx.load(str(src_model_file), load_external_data=False)))
    if stats.get("Attention", 0) < layers or stats.get("SkipLayerNormalization", 0) < 2 * layers:
        raise ValueError(f"BERT fusion found {stats.get('Attention', 0)} Attention and "
                         f"{stats.get('SkipLayerNormalization', 0)} SkipLayerNormalization for {layers} layers "
                         f"(num_heads={num_heads}, hidden_size={hidden_size}): check both against config.json")
    fused.topological_sort()
    model = fused.model
    if not any(o.domain == "com.microsoft" for o in model.opset_import):  # as OnnxModel.save adds it
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    return model


def quantize_int8(src_model_file, dst_dir, external_data="auto", fuse=None) -> Path:
    """ONNX Runtime dynamic quantization: INT8 weights, activations quantised per call; outputs stay FP32.
    Per-channel weights: per-tensor scales cost MiniLM about 0.06 of cosine (min 0.93 vs 0.99).
    fuse: None, or (num_heads, hidden_size) to quantize the fuse_bert graph instead (QAttention,
    QEmbedLayerNormalization, MatMulInteger for the dense layers; LayerNorm, GELU and softmax stay fused FP32)."""
    import tempfile
    from onnxruntime.quantization import QuantType, quantize_dynamic
    dst_dir = Path(dst_dir)
    dst_dir.mkdir(parents=True, exist_ok=True)
    tmp = dst_dir / "quantized.tmp.onnx"
    # ORT writes its own result with external data only when told: do so whenever the source is over the
    # limit too (the INT8 result is ~1/4 of it, but the quantiser's intermediate FP32 copy is not).
    big = external_data == "always" or (external_data == "auto" and over_limit(file_weight_bytes(src_model_file)))
    with tempfile.TemporaryDirectory() as work:
        source = Path(src_model_file)
        extra = {}
        if fuse is not None:
            source = Path(work) / "fused.onnx"
            onnx.save_model(fuse_bert(src_model_file, *fuse), str(source), save_as_external_data=big,
                            all_tensors_to_one_file=True, location="fused.onnx_data")
            # the contrib ops (com.microsoft) have no ONNX shape inference: their outputs are FP32
            extra["DefaultTensorType"] = TensorProto.FLOAT
        quantize_dynamic(str(source), str(tmp), weight_type=QuantType.QInt8, per_channel=True,
                         use_external_data_format=big, extra_options=extra)
    model = onnx.load(str(tmp), load_external_data=True)
    tmp.unlink()
    for extra in dst_dir.glob("quantized.tmp.onnx*"):
        extra.unlink()
    return save_model(model, dst_dir, external_data)


# Static INT8 (QDQ): opset 13 is the first whose QuantizeLinear/DequantizeLinear take a per-channel axis.
QDQ_MIN_OPSET = 13


def quantize_int8_static(src_model_file, dst_dir, feeds, external_data="auto", op_types=("MatMul",),
                         exclude_nodes=()) -> Path:
    """ONNX Runtime static (calibrated) quantization in QDQ form: the scales of the activations are fixed from
    `feeds` (an iterable of input dicts, the calibration batches) instead of being measured on every call.

    U8S8 as ONNX Runtime's CPU INT8 kernels (VNNI) want it: activations uint8 asymmetric, weights int8
    symmetric per channel, full 8-bit range (reduce_range off: it exists for CPUs without VNNI, where u8 x s8
    products can saturate). Only MatMul is quantized by default, and only its inputs: its output stays FP32
    (DequantizeLinear -> MatMul runs as MatMulIntegerToFloat), as do LayerNorm, Softmax, GELU (Erf) and the
    embedding Gather. Quantizing the MatMul outputs too (QLinearMatMul) cost MiniLM min cosine 0.90 on the
    verify texts, against 0.987 without. The graph is first
    converted to opset QDQ_MIN_OPSET if older (the LangChain4j MiniLM graph is opset 11)."""
    import tempfile
    from onnx import version_converter
    from onnxruntime.quantization import (CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType,
                                          quantize_static)

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.batches = iter(feeds)

        def get_next(self):
            return next(self.batches, None)

    dst_dir = Path(dst_dir)
    dst_dir.mkdir(parents=True, exist_ok=True)
    big = external_data == "always" or (external_data == "auto" and over_limit(file_weight_bytes(src_model_file)))
    with tempfile.TemporaryDirectory(dir=dst_dir) as work:
        source = Path(src_model_file)
        model = onnx.load(str(source), load_external_data=True)
        opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 0)
        if opset < QDQ_MIN_OPSET:
            model = version_converter.convert_version(model, QDQ_MIN_OPSET)
            source = Path(work) / "opset.onnx"
            onnx.save_model(model, str(source), save_as_external_data=big, all_tensors_to_one_file=True,
                            location="opset.onnx_data")
        del model
        tmp = Path(work) / "quantized.onnx"
        quantize_static(str(source), str(tmp), Reader(), quant_format=QuantFormat.QDQ,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, per_channel=True,
                        reduce_range=False, op_types_to_quantize=list(op_types), nodes_to_exclude=list(exclude_nodes),
                        calibrate_method=CalibrationMethod.MinMax, use_external_data_format=big,
                        extra_options={"ActivationSymmetric": False, "WeightSymmetric": True,
                                       "OpTypesToExcludeOutputQuantization": ["MatMul"]})
        quantized = onnx.load(str(tmp), load_external_data=True)
    return save_model(quantized, dst_dir, external_data)


def copy_tokenizer(src, model_dir):
    shutil.copyfile(src, Path(model_dir) / "tokenizer.json")
