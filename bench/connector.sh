#!/usr/bin/env bash
# The connector benchmark: end-to-end records/s from a topic to Milvus through the packaged plugin (in-process
# Connect worker, bundled MiniLM, Milvus Lite) against the engine alone on the same texts, interleaved, medians.
# Writes target/bench/connector.json. Options: -Dtier0.bench.records=N -Dtier0.bench.rounds=N -Dtier0.bench.tasks=N
# -Dtier0.bench.write.batch=N (write.batch.max.records, default 256) -Dtier0.bench.mode=auto|latency|throughput
# (model.mode) -Dtier0.bench.threads=N (model.threads; with latency mode and fewer threads than cores, the store and
# the broker run on cores the engine leaves free) -Dtier0.bench.warmups=N (untimed end-to-end runs first, default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target/bench
./mvnw -B -q -pl connector -am verify \
  -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=ConnectorBenchmark -Dfailsafe.failIfNoSpecifiedTests=false "$@"
cat target/bench/connector.json
