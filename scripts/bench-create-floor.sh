#!/usr/bin/env bash
# The REST create's design floor, by variant (issue 29): one nats-server, then for each set of
# writes a BareCreateServer (a bare JDK server making those NATS writes per POST and waiting as a
# controller waits, no osapi code) under wrk (16 connections: 8 s warm-up, 12 s measured); prints
# POSTs/s and the CPU per request of the server and of nats-server, read from /proc/PID/stat.
#   scripts/bench-create-floor.sh [WRITES ...]   (default: the variants in docs/performance.md)
# WRITES: a comma list of pending,record,notification,final (all four: the controller's create).
# Needs nats-server and wrk (scripts/bench-rest.sh installs both); MAVEN_ARGS=-o to build offline.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in nats-server wrk; do
  command -v "$tool" >/dev/null 2>&1 || { echo "bench-create-floor.sh: needs $tool (apt-get install $tool)" >&2; exit 1; }
done
./mvnw -B -q -pl osapi-app -am test-compile dependency:build-classpath -Dit.skip=true \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >&2
cp="osapi-app/target/test-classes:osapi-app/target/classes:osapi-core/target/classes:osapi-adapter-nats/target/classes:osapi-adapter-otel/target/classes:$(cat osapi-app/target/bench.classpath)"
variants=("$@")
[ ${#variants[@]} -gt 0 ] || variants=(record record,notification pending,record,notification
  pending,record,notification,final record pending,record,notification,final)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
dir=$(mktemp -d)
nats_port=$(free_port)
nats-server -js -a 127.0.0.1 -p "$nats_port" -sd "$dir" >"$dir/nats.log" 2>&1 &
nats_pid=$!
trap 'kill $nats_pid 2>/dev/null; rm -rf "$dir"' EXIT
sleep 1
printf 'wrk.method = "POST"\nwrk.body = %s\nwrk.headers["Content-Type"] = "application/json"\n' \
  "'{\"operation\":{\"type\":\"diag.echo\",\"data\":{\"n\":1}}}'" >"$dir/post.lua"
echo "machine: $(nproc) cpus, load average $(cut -d' ' -f1-3 /proc/loadavg)"
tick_us=$((1000000 / $(getconf CLK_TCK)))
for v in "${variants[@]}"; do
  port=$(free_port)
  java -Xmx256m -XX:+UseParallelGC -cp "$cp" io.osapi.bench.BareCreateServer "$port" \
    "nats://127.0.0.1:$nats_port" "$v" >"$dir/bare.log" 2>&1 &
  bare=$!
  for _ in $(seq 1 100); do
    grep -q listening "$dir/bare.log" && break
    kill -0 "$bare" 2>/dev/null || { cat "$dir/bare.log" >&2; exit 1; } # it refused: say why
    sleep 0.2
  done
  wrk -t 2 -c 16 -d 8s -s "$dir/post.lua" "http://127.0.0.1:$port/" >/dev/null
  c0=$(cpu_ticks $bare); n0=$(cpu_ticks $nats_pid)
  out=$(wrk -t 2 -c 16 -d 12s -s "$dir/post.lua" "http://127.0.0.1:$port/")
  c1=$(cpu_ticks $bare); n1=$(cpu_ticks $nats_pid)
  req=$(awk '/requests in/{print $1}' <<<"$out")
  rps=$(awk '/Requests\/sec/{print $2}' <<<"$out")
  echo "RESULT writes=$v posts_per_s=$rps server_cpu_us_per_request=$(( (c1 - c0) * tick_us / req )) nats_cpu_us_per_request=$(( (n1 - n0) * tick_us / req ))"
  kill $bare; wait $bare 2>/dev/null || true
done
