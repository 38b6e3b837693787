"""check-coreml: ONNX Runtime's own static checker of what its CoreML MLProgram provider takes, on every graph
of model directories (python -m onnxruntime.tools.check_onnx_model_mobile_usability, through its Python API).

It runs in its own virtualenv (native/export/.venv-check, from requirements-check.txt) holding the newest
onnxruntime: the checker's table of MLProgram ops grows with every release, and the light venv keeps the
onnxruntime its verified numbers were taken with. This module is imported by tier0_export.py (which only
starts the checker venv) and run as a script inside that venv.

Like the command-line tool, each graph is first optimised at ORT's BASIC level (what a session does before
handing nodes to the provider), then shapes are inferred and the nodes are partitioned with static input
shapes required (tier0 sets RequireStaticInputShapes=1). It is static: it knows op types, ranks and shapes,
not what Apple's compiler will place on the Neural Engine.
"""
import json
import os
import pathlib
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parents[1]
REQUIREMENTS = HERE / "requirements-check.txt"


def _checker_python():
    """native/export/.venv-check/bin/python, (re)created when requirements-check.txt changed."""
    import hashlib
    venv = pathlib.Path(os.environ.get("TIER0_CHECK_VENV", HERE / ".venv-check"))
    marker = venv / ".requirements.sha256"
    want = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    python = venv / "bin" / "python"
    if not python.exists() or not marker.exists() or marker.read_text().strip() != want:
        print(f"check-coreml: creating {venv} from {REQUIREMENTS.name} (one time)", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", "-r",
                        str(REQUIREMENTS)], check=True)
        marker.write_text(want + "\n")
    return python


def run_in_checker_venv(dirs, min_coverage=99.0, max_partitions=1):
    """Exit status of the check (0: every graph passes) run in the checker venv."""
    python = _checker_python()
    cmd = [str(python), str(pathlib.Path(__file__).resolve()), "--min-coverage", str(min_coverage),
           "--max-partitions", str(max_partitions), *map(str, dirs)]
    return subprocess.run(cmd).returncode


def graphs_of(path):
    """[(label, .onnx path)] of a model dir (every graph of a CoreML-target dir; else model_file) or a file."""
    path = pathlib.Path(path)
    if path.is_file():
        return [(path.name, path)]
    spec = json.loads((path / "tier0-model.json").read_text(encoding="utf-8"))
    if "graphs" in spec:
        return [(g["file"], path / g["file"]) for g in spec["graphs"]]
    return [(spec["model_file"], path / spec["model_file"])]


def check_graph(model_file):
    """{'nodes', 'supported', 'partitions', 'coverage', 'unsupported_ops', 'dynamic', 'rank'} for MLProgram."""
    import onnxruntime
    from onnxruntime.tools.mobile_helpers import usability_checker as uc
    from onnxruntime.tools.onnx_model_utils import ModelProtoWithShapeInfo, optimize_model
    with tempfile.TemporaryDirectory() as tmp:
        optimized = pathlib.Path(tmp) / pathlib.Path(model_file).name
        optimize_model(pathlib.Path(model_file), optimized, use_external_initializers=True)
        model = ModelProtoWithShapeInfo(optimized).model_with_shape_info
        info = uc.check_coreml_partitions(model, True, "coreml_supported_mlprogram_ops.md")
    return {"nodes": info.num_nodes, "supported": info.num_supported_nodes, "partitions": info.num_partitions,
            "coverage": 100.0 * info.num_supported_nodes / max(info.num_nodes, 1),
            "unsupported_ops": sorted(info.unsupported_ops),
            "dynamic": info.nodes_unsupported_due_to_dynamic_input,
            "rank": info.num_unsupported_nodes_due_to_rank, "onnxruntime": onnxruntime.__version__}


def main(argv):
    import argparse
    p = argparse.ArgumentParser()
    p.add_argument("dirs", nargs="+")
    p.add_argument("--min-coverage", type=float, default=99.0)
    p.add_argument("--max-partitions", type=int, default=1)
    a = p.parse_args(argv)
    failed = 0
    for d in a.dirs:
        for label, file in graphs_of(d):
            r = check_graph(file)
            ok = 1 <= r["partitions"] <= a.max_partitions and r["coverage"] >= a.min_coverage
            failed += not ok
            extra = f"  unsupported ops: {','.join(r['unsupported_ops'])}" if r["unsupported_ops"] else ""
            if r["dynamic"]:
                extra += f"  dynamic-shape nodes: {r['dynamic']}"
            if r["rank"]:
                extra += f"  rank-limited nodes: {r['rank']}"
            print(f"{'PASS' if ok else 'FAIL'}  {d}/{label}: CoreML MLProgram {r['partitions']} partition(s), "
                  f"{r['supported']}/{r['nodes']} nodes ({r['coverage']:.1f} %){extra}  [onnxruntime {r['onnxruntime']}]")
    print(f"check-coreml: {'all graphs pass' if not failed else f'{failed} graph(s) FAIL'} "
          f"(at most {a.max_partitions} partition, at least {a.min_coverage} % of nodes)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
