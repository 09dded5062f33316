#!/usr/bin/env bash
# Read benchmark of the job store (issue 13): loads N finished jobs of the real layout straight
# into a fresh nats-server (pipelined async publishes through the NATS store itself), starts a real
# controller (java -jar osapi-app/target/osapi-app.jar controller) on them and measures over
# loopback through the REST API: time to ready, job detail p50, list pages (first, deep offset,
# status filter, cursor) p50, filtered pages (operation + status, worker, created_after, all of
# them with a cursor: issue 28's search, one pass over the index each) p50, stats p50, and the
# index's heap per job (live heap after a full GC, less that of the same controller on an empty
# bucket; target at most 64 B). Last line: RESULT ...
#   scripts/bench-store.sh [--jobs 1000000] [--heap 1g] [--samples 200]
# Builds in the reactor (nothing is installed into ~/.m2). Needs nats-server and jcmd.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v nats-server >/dev/null || { echo "bench-store.sh: needs nats-server (apt-get install nats-server)" >&2; exit 1; }
command -v jcmd >/dev/null || { echo "bench-store.sh: needs jcmd (a JDK)" >&2; exit 1; }
./mvnw -B -q package -DskipTests -Dit.skip=true >&2
./mvnw -B -q -pl osapi-app -am test-compile dependency:build-classpath -Dit.skip=true \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >&2
cp="osapi-app/target/test-classes:osapi-app/target/classes:$(cat osapi-app/target/bench.classpath)"
exec java -Xmx2g -XX:+UseParallelGC -cp "$cp" io.osapi.bench.StoreBench "$@"
