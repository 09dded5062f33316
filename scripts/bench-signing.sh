#!/usr/bin/env bash
# What signing a run's end costs the worker (issue 23, worker keys): builds osapi-core and the NATS
# adapter in the reactor (nothing installed into ~/.m2), then runs io.osapi.adapter.nats.SigningBench:
# the unsigned end (Run.finish + the stored bytes) against the signed one, alternating, medians;
# and verifications: one end, ends as a controller, a privileged job as a worker. Last line RESULT ...
#   scripts/bench-signing.sh [ops per round, default 2000] [rounds, default 7]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -o -pl osapi-adapter-nats -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >&2
m=osapi-adapter-nats
cp="$m/target/test-classes:$m/target/classes:osapi-core/target/classes:$(cat $m/target/bench.classpath)"
exec java ${BENCH_JAVA_OPTS:-} -Xms256m -Xmx256m -cp "$cp" io.osapi.adapter.nats.SigningBench "$@"
