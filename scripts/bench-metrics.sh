#!/usr/bin/env bash
# JMH benchmark of metrics recording: per-job cost of OtelJobMetrics against JobMetrics.noop()
# (sources in osapi-adapter-otel/src/jmh/java, Maven profile "bench").
# Arguments go to JMH; without any, every benchmark runs with the GC profiler. Examples:
#   scripts/bench-metrics.sh -wi 2 -i 3 -f 1 -r 2s -prof gc
#   scripts/bench-metrics.sh JobMetricsBenchmark.perJob1Thread -p impl=otel -prof gc
# Set MVN_OFFLINE=1 to resolve from the local repository only.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
module="$root/osapi-adapter-otel"
cd "$root"
offline=()
if [[ -n "${MVN_OFFLINE:-}" ]]; then offline=(-o); fi
./mvnw -B -q "${offline[@]}" -pl osapi-core install -DskipTests
./mvnw -B -q "${offline[@]}" -pl osapi-adapter-otel -Pbench test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$module/target/bench.classpath"
if [[ $# -eq 0 ]]; then set -- -prof gc; fi
exec java -cp "$module/target/jmh-classes:$module/target/classes:$(cat "$module/target/bench.classpath")" \
  org.openjdk.jmh.Main "$@"
