#!/usr/bin/env bash
# The one test command: installs what the tests need when missing, then runs every test
# (unit tests with Surefire, tests against real servers with Failsafe).
#   scripts/test.sh            all tests
#   scripts/test.sh -Dit.skip=true   unit tests only (extra arguments go to Maven)
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v nats-server >/dev/null 2>&1 || need+=(nats-server)
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
# WorkerIdentityIT runs a worker whose clock is 10 min behind (clock skew).
command -v faketime >/dev/null 2>&1 || need+=(faketime)
# The Debian package test (DebianPackageIT) checks with these when present, skips them otherwise.
optional=()
command -v lintian >/dev/null 2>&1 || optional+=(lintian)
command -v systemd-analyze >/dev/null 2>&1 || optional+=(systemd)
# ConsoleIT drives the web console in a headless chromium through chromedriver; it skips (saying
# so) only when they cannot be installed here.
command -v chromium >/dev/null 2>&1 || optional+=(chromium)
command -v chromedriver >/dev/null 2>&1 || optional+=(chromium-driver)
if [ ${#optional[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    need+=("${optional[@]}")
  else
    echo "test.sh: ${optional[*]} missing: the package test skips those checks, ConsoleIT skips without chromium (apt-get install ${optional[*]})" >&2
  fi
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing ${need[*]} (Debian packages) ..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "test.sh: missing ${need[*]}: install the Debian package(s) '${need[*]}' (apt-get install ${need[*]}) and run again" >&2
    exit 1
  fi
fi

# Prometheus' Debian package starts a server on :9090 as a service; it is not wanted here.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet prometheus 2>/dev/null; then
  systemctl stop prometheus || true
fi

echo "test.sh: nats-server $(nats-server --version 2>&1 | head -1), $(promtool --version 2>&1 | head -1), $(chromium --version 2>/dev/null | head -1)"
# the browser is here, so ConsoleIT fails rather than skips if it cannot start it
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
  export OSAPI_REQUIRE_BROWSER=1
fi
exec ./mvnw -B verify "$@"
