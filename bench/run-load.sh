#!/usr/bin/env bash
# Sets up a whole activation host on this machine, in a temporary folder, and
# runs activa_load against it in the scenarios of docs/performance.md:
#
#   per-request  one TCP connection per request, 64 clients at once
#   keepalive    100 requests per connection, 64 clients at once
#   *-scattered  the same two on a fresh host, with CMIDs spread over their
#                range as random ones are (the two above: neighbours)
#   bare-*       the same two against activa_bare_server (bench/bare_server.cc),
#                the least a signed server does, in the same run: the ratio
#                activad / bare is the headline figure
#   memory       a fresh host, N distinct clients (200k; 1M with --million):
#                the host's memory per tracked client
#   restart      (--restart N, alone) a host's start-up over N client records
#
# Usage: bench/run-load.sh [--quick | --million | --restart N] [--build-dir DIR]
#   --quick      about 20 s: small runs, to check that everything works
#   --million    also the 1M-client memory scenario (bounded at 15 minutes)
#   --restart N  only the start-up run: an activated host's database gets N
#                client records (activa_make_state), then activad is started
#                on it three times; prints the time from spawn to its port
#                accepting, its CPU time, and VmHWM / VmRSS once it does
#   --compare B  with --restart: also start the activad binary B (say, one
#                built from main) on the same database, in turn with this one
#   --profile F  with --restart: then one more start of each under
#                `perf record -g`, into F (and F.compare), stopped 2 s after
#                its port accepts; prints the top of `perf report`
#   --serve S    only set up the host and keep it running for S seconds (to
#                profile it, or to run activa_load by hand): prints its PID,
#                port and catalog
#   --io-threads N  activad's [host] io_threads (event loops; default: its
#                own default, one per CPU it may run on)
#   --daemon-cpus L run activad under `taskset -c L` (e.g. 0 or 0,1), to
#                measure one loop against two on the same machine
#   --build-dir  where activad, activa-vendor and activa_load were built
#                (default: $ACTIVA_BUILD_DIR, else build/default)
#
# Build first, for example:
#   cmake --preset default && cmake --build build/default \
#     --target activad activa-vendor activa_load
#
# Everything stays on 127.0.0.1; the daemon is stopped and the folder removed
# on exit, whatever happens. Each run is bounded in requests and in time.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
million=0
serve=0
restart=0
compare=""
profile=""
build=${ACTIVA_BUILD_DIR:-build/default}
while [[ $# -gt 0 ]]; do
  case $1 in
    --quick) quick=1 ;;
    --million) million=1 ;;
    --serve) serve=$2; shift ;;
    --restart) restart=$2; shift ;;
    --compare) compare=$2; shift ;;
    --profile) profile=$2; shift ;;
    --build-dir) build=$2; shift ;;
    --io-threads) host_extra="io_threads = $2"; shift ;;
    --daemon-cpus) activad_wrap="taskset -c $2"; shift ;;
    -h|--help) sed -n '2,43p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run-load.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

activad=$build/tools/activad
vendor_bin=$build/tools/activa-vendor
load=$build/bench/activa_load
bare=$build/bench/activa_bare_server
for b in "$activad" "$vendor_bin" "$load" "$bare"; do
  [[ -x $b ]] || { echo "run-load.sh: $b not found; build it first (see --help)" >&2; exit 2; }
done

work=$(mktemp -d /tmp/activa-load.XXXXXX)
me=run-load.sh
source bench/host-setup.sh
bare_pid=""
cleanup() {
  stop_any_host
  if [[ -n $bare_pid ]]; then kill -TERM "$bare_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

setup_vendor

summaries=()
# run LABEL ARGS...: one activa_load run against the host ($port,
# $daemon_pid); keeps its summary line.
run() {
  run_against "$port" "$daemon_pid" "$@"
}
# run_against PORT PID LABEL ARGS...
run_against() {
  local to_port=$1 to_pid=$2 label=$3
  shift 3
  step "$label"
  echo "\$ activa_load $*"
  local out rc=0
  out=$("$load" --host 127.0.0.1 --port "$to_port" --catalog "$work/catalogs/load.json" \
    --host-pid "$to_pid" --label "$label" "$@") || rc=$?
  echo "$out"
  summaries+=("$(grep '^SUMMARY' <<<"$out" || echo "SUMMARY label=$label failed")")
  if [[ $rc -ne 0 ]]; then
    echo "run-load.sh: activa_load failed (status $rc)" >&2
    exit 1
  fi
}

if [[ $restart != 0 ]]; then
  make_state=$build/bench/activa_make_state
  [[ -x $make_state ]] || { echo "$me: $make_state not found; build it first" >&2; exit 2; }
  [[ -z $compare || -x $compare ]] || { echo "$me: --compare $compare: not a program" >&2; exit 2; }
  step "An activated host, stopped, and $restart client records in its database"
  start_host restart
  stop_host
  application=$(python3 -c 'import json,sys; print(json.loads(json.load(open(sys.argv[1]))["body"])["applications"][0]["id"])' \
    "$work/catalogs/load.json")
  "$make_state" --db "$state/activad.db" --clients "$restart" --application "$application"
  ls -l "$state"/activad.db* | awk '{print $5, $9}'
  if command -v sqlite3 >/dev/null; then
    # What start-up asks of SQLite, each on its own (sqlite3's .timer): the
    # quick_check of the file, the count per application, the stream.
    step "Start-up's queries, timed in sqlite3"
    for q in "PRAGMA quick_check(10)" \
      "SELECT application_id, COUNT(*) FROM host_clients GROUP BY application_id" \
      "SELECT sum(length(application_id) + length(cmid) + last_seen) FROM host_clients INDEXED BY host_clients_by_last_seen"; do
      echo "$q"
      sqlite3 "$state/activad.db" ".timer on" "$q" | sed 's/^/  /'
    done
  fi
  # time_start BINARY: starts BINARY on the host's state, waits for its port
  # to accept, prints the time since spawn and its memory then, and stops it.
  time_start() {
    python3 - "$1" "$state" "$work" "$port" ${2:+"$2"} <<'EOF'
import os, socket, subprocess, sys, time
binary, state, work, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
perf = sys.argv[5] if len(sys.argv) > 5 else ""
log = open(os.path.join(state, "activad.log"), "ab")
start = time.monotonic()
wrap = ["perf", "record", "-q", "-g", "-F", "999", "-o", perf, "--"] if perf else []
p = subprocess.Popen(wrap + [binary, "--config", f"{state}/activa.toml", "--state-dir", state,
                      "--catalog-dir", f"{work}/catalogs", "--trusted-vendors",
                      f"{work}/trusted-vendors.d"], stdout=log, stderr=log)
listening = None
while time.monotonic() - start < 300 and p.poll() is None:
    try:
        socket.create_connection(("127.0.0.1", port), 1).close()
        listening = time.monotonic() - start
        break
    except OSError:
        time.sleep(0.005)
mem = {}
cpu = 0.0
if perf:
    # perf's child is not the one to measure; perf stops when it ends.
    time.sleep(2)
    subprocess.run(["pkill", "-TERM", "-P", str(p.pid)])
    p.wait()
    sys.exit(0 if listening is not None else f"{binary} did not start listening under perf")
if listening is not None:
    with open(f"/proc/{p.pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmHWM", "VmRSS"):
                mem[k] = int(v.split()[0]) / 1024
    # utime + stime, fields 14 and 15 of /proc/PID/stat.
    fields = open(f"/proc/{p.pid}/stat").read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
p.terminate()
p.wait()
if listening is None:
    sys.exit(f"{binary} did not start listening (status {p.returncode}); see {state}/activad.log")
print(f"RESTART binary={binary} listening_s={listening:.3f} cpu_s={cpu:.2f} "
      f"vmhwm_mb={mem['VmHWM']:.1f} vmrss_mb={mem['VmRSS']:.1f} "
      f"hwm_over_rss={mem['VmHWM'] / mem['VmRSS']:.2f}")
EOF
  }
  step "Start-up over $restart client records (three times each, in turn)"
  for _ in 1 2 3; do
    [[ -z $compare ]] || time_start "$compare"
    time_start "$activad"
  done
  if [[ -n $profile ]]; then
    step "Profiles of a start (perf record -g)"
    for b in ${compare:+"$compare"} "$activad"; do
      out=$profile
      [[ $b == "$activad" ]] || out=$profile.compare
      time_start "$b" "$out"
      echo "-- $b ($out)"
      perf report -i "$out" --no-children --percent-limit 1.5 --stdio 2>/dev/null |
        grep -E '^ +[0-9.]+%' | head -25
    done
  fi
  exit 0
fi

if [[ $serve != 0 ]]; then
  start_host serve
  echo "host pid $daemon_pid port $port catalog $work/catalogs/load.json"
  echo "serving for $serve s (Ctrl-C ends it sooner)"
  # In the background, so a signal ends the wait (and the host) at once.
  sleep "$serve" &
  wait $!
  exit 0
fi

if [[ $quick == 1 ]]; then
  n_pr=20000 n_ka=40000 n_mem=20000 bound=10
else
  n_pr=300000 n_ka=600000 n_mem=200000 bound=40
fi

step "Host for the throughput and latency runs"
start_host throughput
# A short warm-up: SQLite's tables and the allocator settle, the first
# 25 clients bring the count to the threshold. Its summary gives the size
# of activad's responses, which the bare server's answers then have.
warm=$("$load" --port "$port" --catalog "$work/catalogs/load.json" --requests 2000 \
  --concurrency 16 | grep '^SUMMARY')
response_bytes=$(sed -n 's/.* response_bytes=\([0-9]*\).*/\1/p' <<<"$warm")

step "The bare signed server (bench/bare_server.cc), $response_bytes-byte responses"
"$bare" --host 127.0.0.1 --response-bytes "$response_bytes" >"$work/bare.out" 2>&1 &
bare_pid=$!
for _ in $(seq 100); do grep -q '^listening' "$work/bare.out" 2>/dev/null && break; sleep 0.05; done
cat "$work/bare.out"
bare_port=$(sed -n 's/^listening on [0-9.]*:\([0-9]*\) .*/\1/p' "$work/bare.out")
[[ -n $bare_port ]] || { echo "$me: activa_bare_server did not start" >&2; exit 1; }

# Bare and activad in turn, each mode one after the other, so that the two
# figures of a ratio are as close in time (and machine load) as they can be.
run_against "$bare_port" "$bare_pid" bare-per-request --no-check --mode per-request \
  --concurrency 64 --requests "$n_pr" --duration-seconds "$bound"
run per-request --mode per-request --concurrency 64 --requests "$n_pr" --duration-seconds "$bound"
run_against "$bare_port" "$bare_pid" bare-keepalive --no-check --mode keepalive \
  --requests-per-connection 100 --concurrency 64 --requests "$n_ka" --duration-seconds "$bound"
run keepalive --mode keepalive --requests-per-connection 100 --concurrency 64 \
  --requests "$n_ka" --duration-seconds "$bound"
stop_host

# The same two modes with CMIDs spread over their range, as real ones
# (random UUIDs) are: the CMIDs above are neighbours, so a batch's new
# records share the leaves of every index; these land each in leaves of its
# own. On a fresh host, so that its database grows as the one above did.
step "Fresh host for the runs with scattered CMIDs"
start_host scattered
"$load" --port "$port" --catalog "$work/catalogs/load.json" --requests 2000 --concurrency 16 \
  --cmid-order scattered >/dev/null
run_against "$bare_port" "$bare_pid" bare-per-request-scattered --no-check --mode per-request \
  --concurrency 64 --requests "$n_pr" --duration-seconds "$bound"
run per-request-scattered --mode per-request --concurrency 64 --requests "$n_pr" \
  --duration-seconds "$bound" --cmid-order scattered
run_against "$bare_port" "$bare_pid" bare-keepalive-scattered --no-check --mode keepalive \
  --requests-per-connection 100 --concurrency 64 --requests "$n_ka" --duration-seconds "$bound"
run keepalive-scattered --mode keepalive --requests-per-connection 100 --concurrency 64 \
  --requests "$n_ka" --duration-seconds "$bound" --cmid-order scattered
kill -TERM "$bare_pid"
wait "$bare_pid" 2>/dev/null || true
bare_pid=""
stop_host

step "Fresh host for the memory run"
start_host memory
run "memory-$n_mem" --mode keepalive --requests-per-connection 100 --concurrency 64 \
  --requests "$n_mem" --duration-seconds 120
stop_host

if [[ $million == 1 ]]; then
  step "Fresh host for the 1M-client memory run"
  start_host million
  run memory-1000000 --mode keepalive --requests-per-connection 100 --concurrency 64 \
    --requests 1000000 --duration-seconds 900 --timeout-ms 30000
  stop_host
fi

step "Summary"
printf '%s\n' "${summaries[@]}"

step "Against the targets (docs/performance.md)"
python3 - "${summaries[@]}" <<'EOF'
import sys
runs = {}
for line in sys.argv[1:]:
    f = dict(kv.split("=", 1) for kv in line.split()[1:] if "=" in kv)
    runs[f["label"]] = f

def show(what, value, target, ok):
    verdict = "met" if ok else "MISSED"
    print(f"{what:<46} {value:>8}   target {target:<9} {verdict}")

print(f"{'mode':<28} {'bare/s':>9} {'p99 us':>8} {'activad/s':>10} {'p99 us':>8} {'ratio':>6}")
modes = (("per-request", "one connection per request"), ("keepalive", "keep-alive x100"),
         ("per-request-scattered", "per request, scattered CMIDs"),
         ("keepalive-scattered", "keep-alive, scattered CMIDs"))
for mode, label in modes:
    b, a = runs.get("bare-" + mode), runs.get(mode)
    if b and a and "rate" in b and "rate" in a and float(b["rate"]) > 0:
        ratio = float(a["rate"]) / float(b["rate"])
        print(f"{label:<28} {b['rate']:>9} {b['p99_us']:>8} {a['rate']:>10} {a['p99_us']:>8} {ratio:>6.2f}")
print()
for mode, _ in modes:
    b, a = runs.get("bare-" + mode), runs.get(mode)
    if b and a and "rate" in b and "rate" in a and float(b["rate"]) > 0:
        ratio = float(a["rate"]) / float(b["rate"])
        show(f"activad / bare server, {mode}", f"{ratio:.2f}", ">= 0.80", ratio >= 0.80)

if "per-request" in runs and "rate" in runs["per-request"]:
    r = runs["per-request"]
    show("activations/s, one connection per request", r["rate"], ">= 15000", float(r["rate"]) >= 15000)
    show("p99 latency (us), per-request, 64 clients", r["p99_us"], "< 10000", int(r["p99_us"]) < 10000)
if "keepalive" in runs and "rate" in runs["keepalive"]:
    r = runs["keepalive"]
    show("activations/s, 100 requests per connection", r["rate"], ">= 30000", float(r["rate"]) >= 30000)
    show("p99 latency (us), keepalive, 64 clients", r["p99_us"], "< 10000", int(r["p99_us"]) < 10000)
for mode in ("per-request-scattered", "keepalive-scattered"):
    if mode in runs and "p99_us" in runs[mode]:
        r = runs[mode]
        show(f"p99 latency (us), {mode}", r["p99_us"], "< 10000", int(r["p99_us"]) < 10000)
for label, r in runs.items():
    if label.startswith("memory-") and "bytes_per_client" in r:
        show(f"host bytes per tracked client, {r['clients']} clients", r["bytes_per_client"],
             "<= 1024", float(r["bytes_per_client"]) <= 1024)
EOF
