#!/usr/bin/env bash
# Measures what a flood of bad frames costs a host (docs/performance.md,
# "Floods of bad frames"). For each daemon given, on a host set up as in
# run-load.sh:
#
#   for each flood kind (malformed-body, bad-version): 64 keep-alive good
#   clients (activa_load) alone, then the same with activa_flood running
#   alongside at its target rate: the good clients' answers/s and p99
#   without and with the flood, their ratio, the flood's achieved rate;
#
#   events: a fresh host with keep_events = 1000 gets 20,000 bad frames
#   (10,000 of each kind, as fast as they are answered); the host is
#   stopped and the rows of its events table counted.
#
# Usage: bench/run-flood.sh [--build-dir DIR] [--activad [LABEL=]PATH]...
#                           [--quick] [--seconds S]
#   --build-dir     where activa-vendor, activa_load and activa_flood were
#                   built (default: $ACTIVA_BUILD_DIR, else build/default)
#   --activad       a daemon to measure, with the label its rows get in the
#                   table; repeat to compare daemons in one run (default:
#                   DIR/tools/activad, labelled "activad")
#   --seconds       length of each good-client phase (default 10)
#   --quick         5 s phases, to check that everything works
#   --body-rate     malformed-body frames/s target (default 6000)
#   --version-rate  bad-version frames/s target (default 4400)
#   --connections   flood connections (default 32)
#
# Compare the daemon before and after a change with the same load tools:
#   bench/run-flood.sh --build-dir build/default \
#     --activad before=../old/build/default/tools/activad \
#     --activad after=build/default/tools/activad
#
# Everything stays on 127.0.0.1; each daemon is stopped and the folder
# removed on exit, whatever happens. Every run is bounded in count and time.
set -euo pipefail
cd "$(dirname "$0")/.."

build=${ACTIVA_BUILD_DIR:-build/default}
daemons=()
seconds=10
body_rate=6000
version_rate=4400
connections=32
keep_events=1000
event_frames=20000
while [[ $# -gt 0 ]]; do
  case $1 in
    --build-dir) build=$2; shift ;;
    --activad) daemons+=("$2"); shift ;;
    --seconds) seconds=$2; shift ;;
    --quick) seconds=5 ;;
    --body-rate) body_rate=$2; shift ;;
    --version-rate) version_rate=$2; shift ;;
    --connections) connections=$2; shift ;;
    -h|--help) sed -n '2,35p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run-flood.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[[ ${#daemons[@]} -gt 0 ]] || daemons=("activad=$build/tools/activad")

vendor_bin=$build/tools/activa-vendor
load=$build/bench/activa_load
flood=$build/bench/activa_flood
for b in "$vendor_bin" "$load" "$flood"; do
  [[ -x $b ]] || { echo "run-flood.sh: $b not found; build it first" >&2; exit 2; }
done
command -v sqlite3 >/dev/null || { echo "run-flood.sh: needs sqlite3" >&2; exit 2; }

work=$(mktemp -d /tmp/activa-flood.XXXXXX)
me=run-flood.sh
activad=""
source bench/host-setup.sh
flood_pid=""
cleanup() {
  if [[ -n $flood_pid ]] && kill -0 "$flood_pid" 2>/dev/null; then
    kill -TERM "$flood_pid" 2>/dev/null || true
    wait "$flood_pid" 2>/dev/null || true
  fi
  stop_any_host
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

setup_vendor

rows=()    # one per daemon and flood kind: label kind good-SUMMARY FLOOD-line
events=()  # one per daemon: label count

# good LABEL: 64 keep-alive clients for $seconds; prints the SUMMARY line
# (activa_load's whole output goes to the log).
good() {
  local out rc=0
  out=$("$load" --host 127.0.0.1 --port "$port" --catalog "$work/catalogs/load.json" \
    --host-pid "$daemon_pid" --label "$1" --mode keepalive --requests-per-connection 100 \
    --concurrency 64 --requests 5000000 --duration-seconds "$seconds") || rc=$?
  echo "$out" >&2
  grep '^SUMMARY' <<<"$out" || echo "SUMMARY label=$1 failed"
  [[ $rc -eq 0 ]] || echo "run-flood.sh: activa_load exited $rc" >&2
}

for spec in "${daemons[@]}"; do
  if [[ $spec == *=* ]]; then label=${spec%%=*} activad=${spec#*=}; else label=activad activad=$spec; fi
  [[ -x $activad ]] || { echo "run-flood.sh: $activad not found" >&2; exit 2; }

  step "$label: $activad"
  daemon_extra=""
  start_host "$label-throughput"
  # Warm-up, as in run-load.sh: the count reaches the threshold.
  "$load" --port "$port" --catalog "$work/catalogs/load.json" --requests 2000 \
    --concurrency 16 >/dev/null
  for kind in malformed-body bad-version; do
    rate=$body_rate
    [[ $kind == bad-version ]] && rate=$version_rate
    bound=100000000
    [[ $rate == 0 ]] || bound=$((rate * (seconds + 2) + 1000))
    step "$label, $kind: good clients alone"
    alone=$(good "$label-alone")
    step "$label, $kind: good clients with the flood at $rate frames/s"
    # The flood starts first and ends after the good clients: it covers
    # their whole run.
    "$flood" --host 127.0.0.1 --port "$port" --flood "$kind" --rate "$rate" \
      --connections "$connections" --duration-seconds "$((seconds + 2))" \
      --frames "$bound" --label "$label-$kind" \
      >"$work/flood.out" 2>&1 &
    flood_pid=$!
    sleep 1
    with=$(good "$label-with-$kind")
    wait "$flood_pid" || echo "run-flood.sh: activa_flood exited $?" >&2
    flood_pid=""
    cat "$work/flood.out"
    rows+=("$label $kind|$alone|$with|$(grep '^FLOOD' "$work/flood.out" || echo FLOOD failed)")
  done
  stop_host

  step "$label: events table, keep_events = $keep_events, $event_frames bad frames"
  daemon_extra="keep_events = $keep_events"
  start_host "$label-events"
  for kind in malformed-body bad-version; do
    "$flood" --host 127.0.0.1 --port "$port" --flood "$kind" --rate 0 \
      --connections "$connections" --frames $((event_frames / 2)) --duration-seconds 120 \
      --label "$label-events-$kind" | grep -E '^(frames|answered|FLOOD)' || true
  done
  stop_host
  count=$(sqlite3 "$state/activad.db" 'select count(*) from events')
  echo "events: $count rows (keep_events $keep_events); the most frequent kinds:"
  sqlite3 "$state/activad.db" "select count(*) || '  ' || substr(min(message), 1, 90) from events
    group by event_id, substr(message, 1, 24) order by count(*) desc limit 5"
  events+=("$label $count")
done

step "Floods of bad frames: good clients (64 keep-alive), $seconds s per phase"
python3 - "$keep_events" "$event_frames" "${#rows[@]}" "${rows[@]}" "${events[@]}" <<'EOF'
import sys
keep, frames, n = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
rows, events = sys.argv[4:4 + n], sys.argv[4 + n:]

def kv(line):
    return dict(f.split("=", 1) for f in line.split()[1:] if "=" in f)

def ms(us):
    return f"{int(us) / 1000:.1f} ms"

print(f"{'daemon':<10} {'flood':<15} {'alone/s':>9} {'p99':>10} {'flood/s':>9} {'p99':>10}"
      f" {'ratio':>7} {'flood frames/s':>15}  within 2x")
for row in rows:
    head, alone, with_, fl = row.split("|")
    label, kind = head.split()
    a, w, f = kv(alone), kv(with_), kv(fl)
    if "rate" not in a or "rate" not in w:
        print(f"{label:<10} {kind:<15} (a good-client run failed)")
        continue
    ra, rw = float(a["rate"]), float(w["rate"])
    ratio = ra / rw if rw > 0 else float("inf")
    target = f"{f.get('rate', '?')} / {f.get('target_rate', '?')}"
    print(f"{label:<10} {kind:<15} {ra:>9.0f} {ms(a['p99_us']):>10} {rw:>9.0f}"
          f" {ms(w['p99_us']):>10} {ratio:>6.1f}x {target:>15}  "
          f"{'met' if ratio <= 2 else 'MISSED'}")
print()
print(f"{'daemon':<10} {'events after ' + str(frames) + ' bad frames':>32} {'keep_events':>12}"
      f"  within keep_events")
for e in events:
    label, count = e.split()
    print(f"{label:<10} {count:>32} {keep:>12}  {'met' if int(count) <= keep else 'MISSED'}")
EOF
