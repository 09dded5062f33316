#!/usr/bin/env bash
# Reliability soak (issue: reliability): the NATS kill -9 + restart case of ReliabilityIT with a
# larger job count. nats-server (file storage), a controller and two workers (the shaded jar as OS
# processes); JOBS diag.echo jobs flow through while nats-server is SIGKILLed once and restarted on
# the same port and store directory. Every job must end completed exactly once.
# Not part of the normal build (which runs ReliabilityIT with 500 jobs).
#   scripts/soak.sh [JOBS]        (default 20000)
# Figures: osapi-app/target/reliability/figures-JOBS.txt (also "RELIABILITY ..." lines below);
# process logs and the NATS store: osapi-app/target/reliability/run-JOBS-*/.
# Set MVN_OFFLINE=1 to resolve from the local repository only. The sibling modules are built in
# the Maven reactor (-am): nothing is installed into ~/.m2, and a stale install is never used.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${1:-20000}"
[[ "$jobs" =~ ^[0-9]+$ && "$jobs" -ge 1 ]] || { echo "soak.sh: JOBS must be a positive number" >&2; exit 2; }
command -v nats-server >/dev/null || [[ -x /usr/sbin/nats-server ]] \
  || { echo "soak.sh: needs nats-server (apt-get install nats-server)" >&2; exit 1; }
offline=()
if [[ -n "${MVN_OFFLINE:-}" ]]; then offline=(-o); fi
start=$(date +%s)
set +e
./mvnw -B "${offline[@]}" -pl osapi-app -am verify \
  -Dit.test='ReliabilityIT#natsKilledAndRestartedWhileJobsFlow' -Dosapi.reliability.jobs="$jobs" \
  -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false \
  | grep -E 'RELIABILITY|Tests run:|FAIL|BUILD|ERROR\]'
rc=${PIPESTATUS[0]}
set -e
echo "soak: $jobs jobs, exit $rc, $(( $(date +%s) - start )) s wall clock;" \
  "figures in osapi-app/target/reliability/figures-$jobs.txt"
exit "$rc"
