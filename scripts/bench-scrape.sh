#!/usr/bin/env bash
# Scrape benchmark: /metrics with 10,000 series over loopback (gzip), 50 scrapes, median and
# heap per series. Last line: RESULT scrape_median_ms=... heap_bytes_per_series=...
#   scripts/bench-scrape.sh [--series 10000] [--scrapes 50]
set -euo pipefail
cd "$(dirname "$0")/.."
# built in the Maven reactor: nothing is installed into ~/.m2
./mvnw -B -q -pl osapi-app -am test-compile dependency:build-classpath -Dit.skip=true \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >&2
cp="osapi-app/target/test-classes:osapi-app/target/classes:$(cat osapi-app/target/bench.classpath)"
exec java -Xms512m -Xmx512m -XX:+UseParallelGC -cp "$cp" io.osapi.bench.ScrapeBench "$@"
