#!/usr/bin/env bash
# What the benchmarks that run osapi from its jar need, made ready (sourced by bench-rest.sh and
# bench-one-box.sh, from the repository's root): nats-server and wrk (Debian packages, installed
# when missing and running as root, else a clear error), the shaded jar, and the test classpath
# in osapi-app/target/bench.classpath; sets cp to the benchmarks' classpath.
# Builds in the reactor (nothing is installed into ~/.m2); MAVEN_ARGS=-o builds offline.
bench_name=$(basename "$0")
need=()
command -v nats-server >/dev/null 2>&1 || need+=(nats-server)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "$bench_name: installing ${need[*]} (Debian packages) ..." >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq "${need[@]}" >/dev/null
  else
    echo "$bench_name: missing ${need[*]}: apt-get install ${need[*]}" >&2
    exit 1
  fi
fi
./mvnw -B -q package -DskipTests -Dit.skip=true >&2
./mvnw -B -q -pl osapi-app -am test-compile dependency:build-classpath -Dit.skip=true \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >&2
cp="osapi-app/target/test-classes:osapi-app/target/classes:$(cat osapi-app/target/bench.classpath)"
