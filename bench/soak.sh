#!/usr/bin/env bash
# The soak (issue 15): tier0's production shape under faults. Builds the packaged connector plugin and the cli
# module's tests, then runs dev.tier0.cli.soak.Soak on the cli test class path; it starts the broker and Milvus
# Lite itself and two Connect workers and two streams-app instances as child JVMs. Prints a table, writes
# target/bench/soak.json, exits 1 on any miss of the verdict. Options go to the JVM, e.g.
#   bench/run soak -Dsoak.records=2000 -Dsoak.milvus.outage.s=30 -Dsoak.search.rate=2 -Dsoak.seed=42
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
./mvnw -B -q -pl cli -am package dependency:build-classpath -DskipTests \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
classpath="cli/target/test-classes:cli/target/classes:$(cat cli/target/bench-classpath.txt)"
mkdir -p target/bench
# CLASSPATH rather than -cp: the child JVMs inherit it the same way (short command lines, see ChildJvm)
export CLASSPATH="$classpath"
exec java -Xmx1g -Dbench.out="$root/target/bench" -Dtier0.home="$root" "$@" dev.tier0.cli.soak.Soak
