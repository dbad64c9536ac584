#!/usr/bin/env bash
# Measures an idle client activad (docs/performance.md, "The client daemon
# at rest"): no host key, no catalog, nothing to activate. Starts the daemon
# in a temporary folder, lets it settle, then over the measured interval
# samples
#   VmRSS and VmHWM     /proc/PID/status, at the start and the end
#   what the RSS is     /proc/PID/smaps_rollup, and the largest mappings
#   wakeups             the third field of /proc/PID/task/*/schedstat (the
#                       times each thread was put on a CPU), per thread, at
#                       the start and the end
# and prints the figures. Then it sends one management request (slmgr /dlv,
# which also nudges the client and clearinghouse loops into a pass) and
# prints the VmRSS 2 s after it (what the daemon holds once it has done
# something again) and a minute later.
#
# Usage: bench/idle-client.sh [--build-dir DIR] [--seconds N] [--settle N]
#                             [--strace N]
#   --build-dir  where activad was built (default: $ACTIVA_BUILD_DIR, else
#                build/release: the production build, without test controls)
#   --seconds    the measured interval (default 180)
#   --settle     seconds between start and the first sample (default 70:
#                an idle client gives back its start-up pages a minute
#                after start, daemon/startup_memory.h)
#   --strace     also trace the daemon's system calls for N seconds after
#                the interval (strace -f -tt), and print what each thread did
#
# Build first, for example:
#   cmake --preset release && cmake --build build/release --target activad
#
# The daemon is stopped and the folder removed on exit, whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."

build=${ACTIVA_BUILD_DIR:-build/release}
seconds=180
settle=70
trace=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --build-dir) build=$2; shift ;;
    --seconds) seconds=$2; shift ;;
    --settle) settle=$2; shift ;;
    --strace) trace=$2; shift ;;
    -h|--help) sed -n '2,33p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "idle-client.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
for n in "$seconds" "$settle" "$trace"; do
  [[ $n =~ ^[0-9]+$ ]] || { echo "idle-client.sh: $n is not a number of seconds" >&2; exit 2; }
done
activad=$build/tools/activad
[[ -x $activad ]] || { echo "idle-client.sh: $activad not found; build it first (see --help)" >&2; exit 2; }

work=$(mktemp -d /tmp/activa-idle.XXXXXX)
me=idle-client.sh
source bench/host-setup.sh  # for mgmt
pid=""
cleanup() {
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/state" "$work/catalogs" "$work/trusted-vendors.d"
chmod 0755 "$work/catalogs" "$work/trusted-vendors.d"
cat >"$work/activa.toml" <<EOF
[daemon]
journal = false
machine_name = "idle-client"
EOF
"$activad" --config "$work/activa.toml" --state-dir "$work/state" \
  --catalog-dir "$work/catalogs" --trusted-vendors "$work/trusted-vendors.d" \
  >"$work/activad.log" 2>&1 &
pid=$!
sock=$work/state/run/activad.sock
for _ in $(seq 200); do [[ -S $sock ]] && break; sleep 0.05; done
[[ -S $sock ]] || { echo "idle-client.sh: activad did not start; see:" >&2; cat "$work/activad.log" >&2; exit 1; }
sleep "$settle"

# tid name count, one line per thread.
sample() {
  local t
  for t in /proc/"$pid"/task/*; do
    [[ -r $t/schedstat ]] || continue
    printf '%s %s %s\n' "${t##*/}" "$(tr ' ' _ <"$t/comm")" "$(cut -d' ' -f3 "$t/schedstat")"
  done
}
kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$pid/status"; }

rss_start=$(kb VmRSS)
sample >"$work/start"
sleep "$seconds"
kill -0 "$pid" 2>/dev/null || { echo "idle-client.sh: activad died; see:" >&2; cat "$work/activad.log" >&2; exit 1; }
sample >"$work/end"
rss_end=$(kb VmRSS)
hwm=$(kb VmHWM)

echo "activad $activad (pid $pid), idle for $seconds s after $settle s"
printf 'VmRSS  %6.2f MB at the start, %6.2f MB at the end; VmHWM %6.2f MB (MB = 10^6 bytes)\n' \
  "$(bc -l <<<"$rss_start * 1024 / 1000000")" "$(bc -l <<<"$rss_end * 1024 / 1000000")" \
  "$(bc -l <<<"$hwm * 1024 / 1000000")"
echo
echo "wakeups in $seconds s, per thread (tid name: count)"
join -a 2 -e 0 -o 2.1,2.2,1.3,2.3 <(sort "$work/start") <(sort "$work/end") |
  awk -v s="$seconds" '{ d = $4 - $3; total += d; printf "  %-8s %-16s %6d\n", $1, $2, d }
       END { printf "  all threads               %6d  (%.2f a minute)\n", total, total * 60 / s }'
echo
echo "smaps_rollup (kB)"
grep -E '^(Rss|Pss|Pss_Anon|Pss_File|Shared_Clean|Private_Clean|Private_Dirty|Anonymous|Swap):' \
  "/proc/$pid/smaps_rollup" | sed 's/^/  /'
echo
echo "largest mappings by Rss (kB)"
awk '/^[0-9a-f]+-[0-9a-f]+ / { name = ($6 == "" ? "[anon]" : $6) }
     /^Rss:/ { rss[name] += $2 }
     END { for (n in rss) if (rss[n] > 0) printf "  %6d  %s\n", rss[n], n }' "/proc/$pid/smaps" |
  sort -rn | head -15

mgmt "$sock" '{"op":"dlv"}' >/dev/null
sleep 2
echo
printf 'VmRSS  %6.2f MB 2 s after one management request (/dlv) and the passes it nudged\n' \
  "$(bc -l <<<"$(kb VmRSS) * 1024 / 1000000")"
sleep 63
printf 'VmRSS  %6.2f MB a minute later (the client gives its pages back again)\n' \
  "$(bc -l <<<"$(kb VmRSS) * 1024 / 1000000")"

if ((trace > 0)); then
  command -v strace >/dev/null || { echo "idle-client.sh: strace not installed" >&2; exit 1; }
  echo
  echo "system calls in $trace s (strace -f -tt)"
  timeout --signal=INT "$trace" strace -f -tt -p "$pid" -o "$work/strace" 2>/dev/null || true
  sed 's/^/  /' "$work/strace" | grep -v -E 'resumed>|--- SIG|\+\+\+' | head -60
fi
