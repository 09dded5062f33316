#!/usr/bin/env bash
# One box, one osapi process (issue 29): the all-in-one process from the jar (REST API, job client
# and one worker in one JVM) started by scripts/run.sh as a user starts it (--jar PATH: java -jar
# PATH with the JVM's defaults instead), first on the embedded in-memory broker,
# then on a nats-server of its own, each driven over loopback by wrk (POST /api/v1/jobs of
# diag.echo, 16 connections) after a warm-up, for a fixed time, to the end of every job created;
# then paced at 2,000 POSTs/s offered (p99), then batches of 1,000 jobs from 4 clients, then the
# reads (stats, list page, detail, /health) beside a bare JDK server's GET. Prints jobs/s end to
# end, POST p50/p99, CPU per job (the process; nats-server's apart) and the reads' p50s.
# Last line: RESULT one_box_embedded_jobs_per_s=... one_box_nats_jobs_per_s=... (and more)
#   scripts/bench-one-box.sh [--seconds 20] [--warmup 30] [--connections 16] [--concurrency 16]
#     [--jar osapi-app/target/osapi-app.jar]
# Builds in the reactor (nothing is installed into ~/.m2); MAVEN_ARGS=-o builds offline.
set -euo pipefail
cd "$(dirname "$0")/.."
# nats-server and wrk (installed when missing), the jar, the classpath: sets cp
source scripts/bench-prepare.sh
exec java -Xmx512m -XX:+UseParallelGC -cp "$cp" io.osapi.bench.OneBoxBench "$@"
