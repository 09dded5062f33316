#!/usr/bin/env bash
# End-to-end load driver (issue: performance). Builds the project in the reactor (nothing is
# installed into ~/.m2), then runs io.osapi.bench.LoadDriver: A (hand-written jnats, the minimal
# NATS operations of the v2 job store) / P (A with claimed jobs run on a pool thread, as B) /
# B (osapi + OTel + Prometheus scraped 1/s) / C (osapi + JobMetrics.noop()) / T (B with tracing on
# at ratio 1.0, OTLP/HTTP to a local sink), alternating, medians over the rounds; last line
# RESULT e2e_ratio=B/A ... tracing_ratio=T/B ... e2e_ratio_pooled=B/P ... flow_cpu_us_per_job_*
# jit_cpu_us_per_job_a/b; each round also prints this JVM's CPU per job by thread role
#   scripts/bench.sh [--jobs 20000] [--rounds 3] [--producers 2] [--workers 4] [--concurrency 8] [--warmup 5000]
# BENCH_JAVA_OPTS adds JVM options; -Dbench.only=A|P|B|C|T warms up and runs one variant alone (for
# a profiler: the nats-server pid is written to $TMPDIR/osapi-bench-nats.pid).
# Baseline A alone, without building osapi: scripts/bench.sh --only-a [same options]
# (BENCH_JAVA_OPTS=-Dbench.handOff=true: P instead)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v nats-server >/dev/null || { echo "bench.sh: needs nats-server (apt-get install nats-server)" >&2; exit 1; }
java_opts=(${BENCH_JAVA_OPTS:-} -Xms1g -Xmx1g -XX:+UseParallelGC)
if [[ "${1:-}" == "--only-a" ]]; then
  shift
  jnats=$(./mvnw -B -q -N help:evaluate -Dexpression=jnats.version -DforceStdout)
  jar="$HOME/.m2/repository/io/nats/jnats/$jnats/jnats-$jnats.jar"
  [[ -f "$jar" ]] || ./mvnw -B -q dependency:get -Dartifact="io.nats:jnats:$jnats" >&2
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
  javac -d "$out" -cp "$jar" osapi-app/src/test/java/io/osapi/bench/{RawJnatsBaseline,NatsServerProcess,ProcStat}.java
  java "${java_opts[@]}" -cp "$out:$jar" io.osapi.bench.RawJnatsBaseline "$@"
  exit
fi
./mvnw -B -q -pl osapi-app -am test-compile dependency:build-classpath -Dit.skip=true \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >&2
cp="osapi-app/target/test-classes:osapi-app/target/classes:$(cat osapi-app/target/bench.classpath)"
exec java "${java_opts[@]}" -cp "$cp" io.osapi.bench.LoadDriver "$@"
