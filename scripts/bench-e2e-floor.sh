#!/usr/bin/env bash
# The design's floor end to end, by variant (issue 29): for each variant a fresh nats-server, a
# BareCreateServer (the create's NATS writes per POST, no osapi code) and two BareWorkers (8 runs
# each: the claim, the end, the acknowledgement; no osapi code) under wrk (16 connections, a warm-up,
# then 12 s and the wait until every job is ended). Prints per variant jobs/s end to end and CPU per
# job of the server, the workers, nats-server and wrk (E2eFloorBench).
#   scripts/bench-e2e-floor.sh [--seconds 12] [--warmup 8] [WRITES/WITHOUT ...]
# WRITES: a comma list of pending,record,notification,final (BareCreateServer); WITHOUT: what the
# workers leave out, a comma list of nosign (the end unsigned), inline (no pool thread),
# fromrecords (no notification: jobs taken from the records' own writes, a design not built), or
# empty.
# Default: the variants in docs/performance.md. Needs nats-server and wrk (scripts/bench-rest.sh
# installs both); MAVEN_ARGS=-o to build offline.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in nats-server wrk; do
  command -v "$tool" >/dev/null 2>&1 || { echo "bench-e2e-floor.sh: needs $tool (apt-get install $tool)" >&2; exit 1; }
done
./mvnw -B -q -pl osapi-app -am test-compile dependency:build-classpath -Dit.skip=true \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >&2
cp="osapi-app/target/test-classes:osapi-app/target/classes:osapi-core/target/classes:osapi-adapter-nats/target/classes:osapi-adapter-otel/target/classes:$(cat osapi-app/target/bench.classpath)"
exec java -Xmx256m -XX:+UseParallelGC -cp "$cp" io.osapi.bench.E2eFloorBench "$@"
