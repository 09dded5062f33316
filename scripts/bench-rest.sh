#!/usr/bin/env bash
# REST benchmark (issue 29): nats-server, a controller and two workers as processes from the jar,
# driven over loopback by wrk (POST /api/v1/jobs of diag.echo, 16 connections) after a warm-up
# (prolonged up to 60 s until the controller's JIT uses under a tenth of its CPU),
# for a fixed time; then the same load against a bare JDK HttpServer answering 201 (the floor),
# reads beside the floor, the design's floor (the create's NATS writes with no osapi code, and end
# to end with two bare workers at the paced rate: BareCreateServer, BareWorker), single creates
# for one host (host_posts_per_s: a broadcast's create reads the registry) and bench.sh's
# in-process B in the same run (for the ratio).
# Last line: RESULT rest_jobs_per_s=... post_p50_ms=... post_p99_ms=...
#   controller_cpu_us_per_create=... worker_cpu_us_per_run=... nats_msgs_per_job=... (and more,
#   controller_jit_us_per_create: the compiler threads' part of the CPU per create)
#   scripts/bench-rest.sh [--seconds 20] [--warmup 15] [--connections 16] [--worker-concurrency 8]
# BENCH_B_JOBS (20000) sets the jobs of the in-process B run; BENCH_B=0 skips it.
# BENCH_PACED_PAIRS (2): how many more paced runs of the design floor and of osapi, in turns, after
#   the first of each (post_p99_ms_paced_median, design_floor_p99_ms_paced_median: over all of them).
# BENCH_CONTROLLER_OPTS adds JVM options to the controller, e.g. a JFR recording:
#   BENCH_CONTROLLER_OPTS="-XX:StartFlightRecording=filename=/tmp/ctl.jfr,settings=profile"
#   (dumped right after the single creates); BENCH_WORKER_OPTS the same for each worker, e.g.
#   BENCH_WORKER_OPTS="-XX:StartFlightRecording=filename=/tmp/w.jfr,settings=profile" (dumped
#   once the single creates' jobs are finished, to /tmp/w-w1.jfr and /tmp/w-w2.jfr)
# Builds in the reactor (nothing is installed into ~/.m2); MAVEN_ARGS=-o builds offline.
set -euo pipefail
cd "$(dirname "$0")/.."
# nats-server and wrk (installed when missing), the jar, the classpath: sets cp
source scripts/bench-prepare.sh
b_args=()
if [ "${BENCH_B:-1}" != 0 ]; then
  # bench.sh's B (osapi in process, OTel on) alone after its warm-up, in this same run
  b_out=$(java -Xms1g -Xmx1g -XX:+UseParallelGC -Dbench.only=B -cp "$cp" io.osapi.bench.LoadDriver \
    --jobs "${BENCH_B_JOBS:-20000}" | tee /dev/stderr | grep -E '^B: ')
  b_rate=$(sed -E 's/^B: ([0-9.]+) jobs\/s.*/\1/' <<<"$b_out")
  b_cpu=$(sed -E 's/.*CPU per job \(this JVM \+ nats-server\) ([0-9.]+) us.*/\1/' <<<"$b_out")
  b_args=(--inproc-b "$b_rate" --inproc-b-cpu "$b_cpu")
fi
exec java -Xmx512m -XX:+UseParallelGC -cp "$cp" io.osapi.bench.RestBench "${b_args[@]}" "$@"
