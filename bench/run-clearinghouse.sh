#!/usr/bin/env bash
# Online activations per second and latency against `activa-vendor serve`
# (docs/performance.md), in a temporary folder on this machine:
#
#   sqlite      one serve process on VENDORDIR/vendor.db
#   pg x1       one serve process on a PostgreSQL 15 started for the run
#   pg x2       two serve processes on that PostgreSQL, requests spread over both
#
# each for host activations (every request a new host of one host key) and
# MAK activations (every request a new machine of one MAK); then a MAK of
# count 1,000 hit by 2,000 activations at once over the two processes, which
# must end at exactly 1,000.
#
# Usage: bench/run-clearinghouse.sh [--requests N] [--concurrency C] [--build-dir DIR]
#   --requests     activations per scenario (default 2000)
#   --concurrency  connections at once (default 16)
#   --build-dir    where activa-vendor and activa_clearinghouse_load were built
#                  (default: $ACTIVA_BUILD_DIR, else build/default)
#
# Everything stays on 127.0.0.1; the servers are stopped and the folder
# removed on exit. PostgreSQL runs as the user activa-pgtest when this runs
# as root (created if missing), with fsync on: the figures include the
# commit's flush, as production would.
set -euo pipefail
cd "$(dirname "$0")/.."

requests=2000
concurrency=16
build=${ACTIVA_BUILD_DIR:-build/default}
while [[ $# -gt 0 ]]; do
  case $1 in
    --requests) requests=$2; shift ;;
    --concurrency) concurrency=$2; shift ;;
    --build-dir) build=$2; shift ;;
    -h|--help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run-clearinghouse.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

vendor_bin=$(realpath "$build/tools/activa-vendor")
load=$(realpath "$build/bench/activa_clearinghouse_load")
pgbin=/usr/lib/postgresql/15/bin
for b in "$vendor_bin" "$load" "$pgbin/initdb"; do
  [[ -x $b ]] || { echo "run-clearinghouse.sh: $b not found; build it (or install postgresql)" >&2; exit 2; }
done

work=$(mktemp -d /tmp/activa-ch-bench.XXXXXX)
chmod 755 "$work"
pids=()
as_pg=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [[ -f $work/pg/postmaster.pid ]]; then
    "${as_pg[@]}" "$pgbin/pg_ctl" -D "$work/pg" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- PostgreSQL ---------------------------------------------------------
if [[ $(id -u) -eq 0 ]]; then
  id activa-pgtest >/dev/null 2>&1 ||
    useradd --system --no-create-home --shell /usr/sbin/nologin activa-pgtest
  mkdir "$work/pg" && chown activa-pgtest: "$work/pg"
  as_pg=(runuser -u activa-pgtest --)
else
  mkdir "$work/pg"
fi
pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$work/pg" && "${as_pg[@]}" "$pgbin/initdb" -D "$work/pg" -U postgres -A trust -E UTF8 \
  --no-instructions >/dev/null)
cat >>"$work/pg/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$work/pg'
port = $pg_port
EOF
(cd "$work/pg" && "${as_pg[@]}" "$pgbin/pg_ctl" -D "$work/pg" -l "$work/pg/log" -w start >/dev/null)
pg_url() { echo "postgresql://postgres@127.0.0.1:$pg_port/$1"; }
"$pgbin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres ledger

# --- vendors, keys, servers -----------------------------------------------
"$vendor_bin" init "$work/sqlite" --name "Bench Software" 2>/dev/null
"$vendor_bin" init "$work/pgv" --name "Bench Software" --db "$(pg_url ledger)" 2>/dev/null
group=$(sed -n 's/^name = "\(.*Volume\)"$/\1/p' "$work/sqlite/vendor.toml" | head -1)
edition=$(sed -n 's/^name = "\(.*Professional\)"$/\1/p' "$work/sqlite/vendor.toml" | head -1)
[[ -n $group && -n $edition ]] || { echo "run-clearinghouse.sh: cannot read the product group or edition" >&2; exit 1; }

mint() {  # mint VENDORDIR host|mak COUNT
  if [[ $2 == host ]]; then
    "$vendor_bin" mint host "$1" --group "$group" --hosts 100000 --activations 1 2>/dev/null
  else
    "$vendor_bin" mint mak "$1" --edition "$edition" --count "$3" 2>/dev/null
  fi
}

# serve VENDORDIR LOG: starts one process, sets $url to where it listens.
# (Not a command substitution: the server would hold its output open.)
serve() {
  "$vendor_bin" serve "$1" --listen 127.0.0.1:0 --source-rate 0 --key-rate 0 >/dev/null 2>"$2" &
  pids+=($!)
  for _ in $(seq 1 300); do
    port=$(sed -n 's/.*listening on https:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$2" 2>/dev/null || true)
    [[ -n $port ]] && { url="https://127.0.0.1:$port"; return; }
    sleep 0.05
  done
  echo "run-clearinghouse.sh: serve did not start:" >&2; cat "$2" >&2; exit 1
}

run() {  # run LABEL KEY URL...
  local label=$1 key=$2; shift 2
  local args=()
  for u in "$@"; do args+=(--url "$u"); done
  "$load" "${args[@]}" --key "$key" --requests "$requests" --concurrency "$concurrency" \
    --seed "$RANDOM" --label "$label"
}

printf '%-28s %8s %6s %6s %6s %7s %9s %8s %8s\n' SCENARIO REQUESTS OK REFUSED OTHER SECONDS \
  "ACT/S" "P50 MS" "P99 MS"

serve "$work/sqlite" "$work/serve-sqlite.log"
run "sqlite x1 host" "$(mint "$work/sqlite" host)" "$url"
run "sqlite x1 mak" "$(mint "$work/sqlite" mak 10000000)" "$url"

serve "$work/pgv" "$work/serve-pg1.log"
pg1=$url
run "postgresql x1 host" "$(mint "$work/pgv" host)" "$pg1"
run "postgresql x1 mak" "$(mint "$work/pgv" mak 10000000)" "$pg1"
serve "$work/pgv" "$work/serve-pg2.log"
pg2=$url
run "postgresql x2 host" "$(mint "$work/pgv" host)" "$pg1" "$pg2"
run "postgresql x2 mak" "$(mint "$work/pgv" mak 10000000)" "$pg1" "$pg2"

# The oversell check: count 1,000, 2,000 machines at once over both processes.
limited=$(mint "$work/pgv" mak 1000)
requests=2000 concurrency=2000 run "postgresql x2 mak 1000/2000" "$limited" "$pg1" "$pg2" || true
used=$("$vendor_bin" keys "$work/pgv" | grep -F "$limited" | awk '{print $5}')
echo "MAK of count 1000 after 2000 concurrent activations: $used machines"
[[ $used == "1000/1000" ]]
