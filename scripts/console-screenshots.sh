#!/usr/bin/env bash
# Takes the console's screenshots in docs/img/console-*.png: runs ConsoleIT (a real all-in-one
# process on a real nats-server, driven in headless chromium) with -Dconsole.screenshots.
#   scripts/console-screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."
OSAPI_REQUIRE_BROWSER=1 ./mvnw -B -q -pl osapi-app -am verify -Dtest=none -Dit.test=ConsoleIT \
  -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dconsole.screenshots="$PWD/docs/img" "$@"
ls -l docs/img/console-*.png
