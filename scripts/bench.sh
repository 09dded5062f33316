#!/usr/bin/env bash
# End-to-end load driver (issue: performance). Builds the project, then runs
# io.osapi.bench.LoadDriver: A (hand-written jnats) / B (osapi + OTel + Prometheus scraped 1/s) /
# C (osapi + JobMetrics.noop()), alternating, medians over the rounds; last line RESULT ...
#   scripts/bench.sh [--jobs 20000] [--rounds 3] [--producers 2] [--workers 4] [--concurrency 8] [--warmup 5000]
# BENCH_JAVA_OPTS adds JVM options; -Dbench.only=A|B|C runs one variant once after the warm-up (for a
# profiler: the nats-server pid is written to $TMPDIR/osapi-bench-nats.pid).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v nats-server >/dev/null || { echo "bench.sh: needs nats-server (apt-get install nats-server)" >&2; exit 1; }
./mvnw -B -q install -DskipTests -Dit.skip=true >&2
./mvnw -B -q -pl osapi-app test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >&2
cp="osapi-app/target/test-classes:osapi-app/target/classes:$(cat osapi-app/target/bench.classpath)"
exec java ${BENCH_JAVA_OPTS:-} -Xms1g -Xmx1g -XX:+UseParallelGC -cp "$cp" io.osapi.bench.LoadDriver "$@"
