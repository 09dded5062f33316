#!/usr/bin/env bash
# Makes docs/img/osapi-load.png, the picture in docs/operations.md: a real load run, drawn from
# what Prometheus scraped.
#
#   scripts/make-picture.sh [OUTPUT.png]
#
# Starts nats-server (JetStream, file store), the all-in-one osapi-app.jar with --nats, and a
# Prometheus scraping it every second, all on free loopback ports in a temporary directory.
# Submits a few hundred jobs over ~75 s with curl (diag.echo, diag.sleep, ~20 % diag.fail),
# with a busy stretch early on, restarts nats-server once later (down ~5 s), then fetches /api/v1/query_range for the
# dashboard's main queries, writes them into a self-contained HTML page (inline SVG, no network)
# and screenshots it with headless Chromium.
#
# Needs: java 17+, curl, nats-server, prometheus, chromium. As root with apt-get, missing Debian
# packages are installed. Environment: LOAD_SECONDS (default 75), KEEP=1 keeps the temp dir.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out=${1:-docs/img/osapi-load.png}
load_seconds=${LOAD_SECONDS:-75}

log() { echo "make-picture: $*" >&2; }

# ---- tools
need=()
command -v nats-server >/dev/null 2>&1 || [ -x /usr/sbin/nats-server ] || need+=(nats-server)
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
command -v curl >/dev/null 2>&1 || need+=(curl)
chromium_bin=""
for c in chromium chromium-browser chromium-headless-shell; do
  if command -v "$c" >/dev/null 2>&1; then chromium_bin=$(command -v "$c"); break; fi
done
[ -n "$chromium_bin" ] || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing ${need[*]} (Debian packages) ..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    log "missing ${need[*]}: apt-get install ${need[*]} (as root), then run again"
    exit 1
  fi
fi
PATH=$PATH:/usr/sbin
[ -n "$chromium_bin" ] || chromium_bin=$(command -v chromium)

# ---- the jar (built when missing or older than the sources, like scripts/run.sh)
jar=osapi-app/target/osapi-app.jar
if [ ! -f "$jar" ] || [ -n "$(find pom.xml osapi-*/pom.xml osapi-*/src/main -newer "$jar" -print -quit)" ]; then
  log "building $jar ..."
  ./mvnw -B -q package -DskipTests -Dit.skip=true >&2
fi

# ---- processes, all stopped on exit (by the PIDs started here)
tmp=$(mktemp -d /tmp/osapi-picture.XXXXXX)
pids=()
cleanup() {
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[$i]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "${KEEP:-0}" = 1 ]; then log "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 12000))
    if port_free "$p"; then echo "$p"; return; fi
  done
}
wait_for() { # what, seconds, command...
  local what=$1 secs=$2; shift 2
  for ((i = 0; i < secs * 10; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  log "$what did not happen within ${secs}s; logs in $tmp"; KEEP=1; exit 1
}

nats_port=$(free_port); api_port=$(free_port); metrics_port=$(free_port); prom_port=$(free_port)
api=http://127.0.0.1:$api_port/api/v1
prom=http://127.0.0.1:$prom_port

start_nats() {
  nats-server -js -a 127.0.0.1 -p "$nats_port" -sd "$tmp/jetstream" >>"$tmp/nats.log" 2>&1 &
  nats_pid=$!
  pids+=("$nats_pid")
  wait_for "nats-server listening" 15 bash -c "exec 3<>/dev/tcp/127.0.0.1/$nats_port"
}

log "nats-server on $nats_port, osapi API $api_port metrics $metrics_port, Prometheus $prom_port"
start_nats

java -Xmx256m -jar "$jar" --nats "nats://127.0.0.1:$nats_port" \
  --api-addr "127.0.0.1:$api_port" --metrics-addr "127.0.0.1:$metrics_port" \
  --worker-id demo-w1 --concurrency 4 >"$tmp/osapi.log" 2>&1 &
pids+=($!)

cat >"$tmp/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: osapi-all-in-one
    static_configs:
      - targets: ["127.0.0.1:$metrics_port"]
EOF
prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/tsdb" \
  --web.listen-address="127.0.0.1:$prom_port" --log.level=warn >"$tmp/prometheus.log" 2>&1 &
pids+=($!)

wait_for "osapi ready" 90 curl -sf "http://127.0.0.1:$metrics_port/health/ready"
wait_for "Prometheus ready" 30 curl -sf "$prom/-/ready"
sleep 5 # a few scrapes of the idle process first

# ---- load
submit() { # type [data]
  local body="{\"operation\":{\"type\":\"$1\"${2:+,\"data\":$2}}}"
  if curl -s -o /dev/null -w '%{http_code}' -X POST "$api/jobs" \
      -H 'Content-Type: application/json' -d "$body" | grep -q 201; then
    echo ok >>"$tmp/submitted"
  else
    echo refused >>"$tmp/submitted"
  fi
}
drive() {
  local end=$((SECONDS + load_seconds)) n=0
  while [ $SECONDS -lt $end ]; do
    n=$((n + 1))
    # a busy stretch early on: longer sleeps fill the 4 job slots and jobs queue
    local busy=0 t=$((SECONDS - start))
    if [ $t -ge $((load_seconds / 8)) ] && [ $t -lt $((3 * load_seconds / 8)) ]; then busy=1; fi
    case $((n % 10)) in
      0 | 5) submit diag.fail ;;
      3 | 7) submit diag.sleep "{\"seconds\": $((busy ? 3 : 1))}" ;;
      *) submit diag.echo "{\"n\": $n}" ;;
    esac
    sleep 0.15
  done
}
: >"$tmp/submitted"
t_start=$(date +%s)
start=$SECONDS
log "driving load for ${load_seconds}s ..."
drive &
load_pid=$!
pids+=("$load_pid")

sleep $((load_seconds * 3 / 5))
log "restarting nats-server (down ~5 s) ..."
kill "$nats_pid"
wait "$nats_pid" 2>/dev/null || true
sleep 5
start_nats
wait "$load_pid" || true
sleep 6
t_end=$(date +%s)

ok=$(grep -c ok "$tmp/submitted" || true)
refused=$(grep -c refused "$tmp/submitted" || true)
log "submitted $ok jobs ($refused refused while NATS was down)"

# ---- the page: six panels drawn as inline SVG from DATA and META (inserted at /*DATA*/)
page_template() {
  cat <<'HTML'
<!doctype html>
<html><head><meta charset="utf-8"><title>osapi load run</title>
<style>
  body { margin: 0; width: 1200px; background: #fff; color: #222;
         font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; }
  h1 { font-size: 19px; margin: 12px 16px 2px; }
  .sub { font-size: 12px; color: #555; margin: 0 16px 8px; }
  #grid { display: grid; grid-template-columns: 582px 582px; gap: 8px 10px; padding: 0 12px; }
  .panel { border: 1px solid #d8d8d8; border-radius: 4px; padding: 4px 2px 0 2px; min-width: 0;
           overflow: hidden; }
  .panel h2 { font-size: 13px; margin: 2px 4px 0; }
  .panel .q { font: 10px/14px "DejaVu Sans Mono", monospace; color: #777; white-space: nowrap;
              overflow: hidden; text-overflow: ellipsis; margin: 0 4px; }
  svg text { font-size: 10px; fill: #555; }
</style></head>
<body>
<h1>osapi under load, one NATS restart: what Prometheus scraped</h1>
<div class="sub" id="sub"></div>
<div id="grid"></div>
<script>
/*DATA*/
const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"];
const PANELS = [
  { title: "Job throughput (jobs/s)", series: [
      ["completed", r => r.metric.status], ["created", () => "created"]] },
  { title: "Failure ratio (failed / finished)", ymax: 1, series: [
      ["failure_ratio", () => "failed / finished"]] },
  { title: "Job duration p50 / p95 (s)", series: [
      ["p50", () => "p50"], ["p95", () => "p95"]] },
  { title: "Queue wait p95 (s): created to started", series: [
      ["wait95", () => "p95 queue wait"]] },
  { title: "Active jobs, job slots, backlog", series: [
      ["active", () => "active"], ["concurrency", () => "concurrency"],
      ["pending", () => "pending (not yet delivered)"]] },
  { title: "NATS connection and readiness", ymax: 1.25, series: [
      ["connected", () => "osapi_nats_connected", { width: 4 }],
      ["ready", () => "osapi_component_up", { dash: "7,4" }],
      ["reconnects", () => "osapi_nats_reconnects_total", { dash: "2,3" }]] },
];

function seriesOf(name, label) {
  const a = DATA[name] && DATA[name].answer;
  if (!a || a.status !== "success") return [];
  return a.data.result.map(r => ({ label: label(r),
    points: r.values.map(([t, v]) => [t - META.start, parseFloat(v)]) }));
}

// NATS down: where min(osapi_nats_connected) was 0
const down = [];
for (const s of seriesOf("connected", () => "")) {
  let from = null;
  for (const [t, v] of s.points) {
    if (v === 0 && from === null) from = t;
    if (v !== 0 && from !== null) { down.push([from, t]); from = null; }
  }
  if (from !== null) down.push([from, s.points[s.points.length - 1][0]]);
}

let tmax = 0;
for (const k of Object.keys(DATA)) for (const s of seriesOf(k, () => ""))
  for (const [t] of s.points) tmax = Math.max(tmax, t);

function nice(max) {
  if (!(max > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(max)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}
function fmt(v) {
  if (v === 0) return "0";
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 1) return (+v.toFixed(2)).toString();
  return (+v.toPrecision(2)).toString();
}

const W = 576, H = 212, L = 42, R = 10, T = 8, B = 20;
const grid = document.getElementById("grid");
for (const p of PANELS) {
  const series = p.series.flatMap(([name, label, style]) =>
    seriesOf(name, label).map(s => Object.assign(s, { query: DATA[name].query, style })));
  let ymax = p.ymax || 0;
  if (!p.ymax) for (const s of series) for (const [, v] of s.points) if (isFinite(v)) ymax = Math.max(ymax, v);
  ymax = p.ymax || nice(ymax * 1.1);
  const x = t => L + (W - L - R) * t / Math.max(tmax, 1);
  const y = v => T + (H - T - B) * (1 - v / ymax);
  let svg = `<svg width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg">`;
  for (const [a, b] of down) {
    svg += `<rect x="${x(a)}" y="${T}" width="${Math.max(2, x(b) - x(a))}" height="${H - T - B}" fill="#fde0dc"/>`;
    svg += `<text x="${x(a) + 3}" y="${H - B - 4}" style="fill:#c0392b">NATS down</text>`;
  }
  const ticks = p.ymax === 1 ? [0, 0.25, 0.5, 0.75, 1] : p.ymax ? [0, 0.5, 1] :
    [0, 0.25, 0.5, 0.75, 1].map(f => f * ymax);
  for (const v of ticks) {
    svg += `<line x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" stroke="#eee"/>`;
    svg += `<text x="${L - 4}" y="${y(v) + 3}" text-anchor="end">${fmt(v)}</text>`;
  }
  for (let t = 0; t <= tmax; t += 15) {
    svg += `<line x1="${x(t)}" x2="${x(t)}" y1="${T}" y2="${H - B}" stroke="#f3f3f3"/>`;
    svg += `<text x="${x(t)}" y="${H - 6}" text-anchor="middle">${t}s</text>`;
  }
  svg += `<line x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}" stroke="#999"/>`;
  series.forEach((s, i) => {
    const c = COLORS[i % COLORS.length];
    let d = "", pen = false;
    for (const [t, v] of s.points) {
      if (!isFinite(v)) { pen = false; continue; }
      d += (pen ? "L" : "M") + x(t).toFixed(1) + "," + y(Math.min(v, ymax)).toFixed(1);
      pen = true;
    }
    const st = s.style || {};
    svg += `<path d="${d}" fill="none" stroke="${c}" stroke-width="${st.width || 1.8}"` +
      (st.dash ? ` stroke-dasharray="${st.dash}"` : "") + "/>";
    svg += `<rect x="${L + 8 + i * 150}" y="${T + 4}" width="10" height="10" fill="${c}"/>`;
    svg += `<text x="${L + 22 + i * 150}" y="${T + 13}" style="fill:#333">${s.label}</text>`;
  });
  if (series.length === 0) svg += `<text x="${W / 2}" y="${H / 2}" text-anchor="middle">no data</text>`;
  svg += "</svg>";
  const queries = [...new Set(series.map(s => s.query))].join("   |   ");
  const div = document.createElement("div");
  div.className = "panel";
  div.innerHTML = `<h2>${p.title}</h2><div class="q">${queries.replace(/</g, "&lt;")}</div>${svg}`;
  grid.appendChild(div);
}
document.getElementById("sub").textContent =
  `All-in-one osapi-app on NATS, ${META.submitted} jobs submitted over ${META.load} s ` +
  `(diag.echo, diag.sleep, 20 % diag.fail; ${META.refused} refused while NATS was down), ` +
  `scraped every 1 s. The dashboard's queries with 15 s rate windows. Made by ` +
  `scripts/make-picture.sh on ${META.made}.`;
</script>
</body></html>
HTML
}

# ---- data: the dashboard's queries, rate windows shortened to 15s for a short run
q() { # name promql
  local json
  json=$(curl -s --get "$prom/api/v1/query_range" --data-urlencode "query=$2" \
    --data-urlencode "start=$((t_start - 5))" --data-urlencode "end=$t_end" \
    --data-urlencode "step=1")
  printf '%s: {"query": %s, "answer": %s},\n' "\"$1\"" "$(printf '%s' "$2" | sed 's/\\/\\\\/g; s/"/\\"/g; s/^/"/; s/$/"/')" "$json"
}
{
  echo "const DATA = {"
  q completed 'sum by (status) (rate(osapi_jobs_completed_total[15s]))'
  q created 'sum(rate(osapi_jobs_created_total[15s]))'
  q failure_ratio 'sum(rate(osapi_jobs_completed_total{status="failed"}[15s])) / sum(rate(osapi_jobs_completed_total[15s]))'
  q p50 'histogram_quantile(0.5, sum by (le) (rate(osapi_job_duration_seconds_bucket[15s])))'
  q p95 'histogram_quantile(0.95, sum by (le) (rate(osapi_job_duration_seconds_bucket[15s])))'
  q wait95 'histogram_quantile(0.95, sum by (le) (rate(osapi_job_queue_wait_seconds_bucket[15s])))'
  q active 'sum(osapi_jobs_active)'
  q concurrency 'sum(osapi_worker_concurrency)'
  q pending 'sum(osapi_jobs_pending)'
  q connected 'min(osapi_nats_connected)'
  q ready 'min(osapi_component_up)'
  q reconnects 'sum(osapi_nats_reconnects_total)'
  echo "};"
  echo "const META = {start: $((t_start - 5)), submitted: $ok, refused: $refused,"
  echo "  load: $load_seconds, made: \"$(date -u +%Y-%m-%d) with $(nats-server --version 2>&1 | head -1), $(prometheus --version 2>&1 | head -1 | cut -d' ' -f1-3)\"};"
} >"$tmp/data.js"

page_template >"$tmp/page.html"
# the data goes into the page itself: no server, no fetch, no CORS
sed -i -e "/\/\*DATA\*\//r $tmp/data.js" "$tmp/page.html"

mkdir -p "$(dirname "$out")"
log "rendering $out with $chromium_bin ..."
"$chromium_bin" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
  --disable-background-networking --disable-component-update --disable-sync --no-first-run \
  --hide-scrollbars --user-data-dir="$tmp/chromium" --window-size=1200,840 \
  --virtual-time-budget=10000 --screenshot="$root/$out" "file://$tmp/page.html" \
  >"$tmp/chromium.log" 2>&1 || { log "chromium failed: $(tail -5 "$tmp/chromium.log")"; KEEP=1; exit 1; }
[ -s "$root/$out" ] || { log "no picture written; see $tmp/chromium.log"; KEEP=1; exit 1; }
log "wrote $out ($(stat -c %s "$root/$out") bytes)"
