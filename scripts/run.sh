#!/usr/bin/env bash
# Builds osapi-app.jar when it is missing or older than the sources, then runs it
# (JAVA_OPTS: more JVM options).
#   scripts/run.sh                         all-in-one on the embedded broker
#   scripts/run.sh --nats nats://127.0.0.1:4222   all-in-one on NATS
#   scripts/run.sh controller --nats ...   / scripts/run.sh worker --nats ...
#   scripts/run.sh job submit --type diag.echo --data '{"hi":1}' --wait
set -euo pipefail
cd "$(dirname "$0")/.."
jar=osapi-app/target/osapi-app.jar
if [ ! -f "$jar" ] || [ -n "$(find pom.xml osapi-*/pom.xml osapi-*/src/main -newer "$jar" -print -quit)" ]; then
  echo "run.sh: building $jar ..." >&2
  ./mvnw -B -q package -DskipTests -Dit.skip=true >&2
fi
# -XX:MaxTenuringThreshold=0: objects alive at a young collection go to the old generation at
# once; the jobs an osapi process keeps (the embedded store, the controller's index) are copied
# once instead of up to 15 times between survivor spaces, which halves G1's young pauses.
# -XX:MaxNewSize=64m: a young generation of at most 64 MB, so each young collection copies the
# jobs of a few hundred milliseconds, not of several seconds: G1's pauses stay near 16 ms however
# many jobs the process holds (the embedded broker's POST p99 at 2,000/s: 16 ms instead of 65)
# (docs/performance.md, "One box, one process"). JAVA_OPTS adds JVM options (and can override them).
# shellcheck disable=SC2086
exec java -XX:MaxTenuringThreshold=0 -XX:MaxNewSize=64m ${JAVA_OPTS:-} -jar "$jar" "$@"
