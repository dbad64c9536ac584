# Sourced by run-load.sh and run-flood.sh: sets up activation hosts on this
# machine, each in its own folder under $work, on 127.0.0.1 (idle-client.sh
# uses its mgmt only).
#
# The caller sets, before sourcing:
#   work        an empty temporary folder (removed by the caller)
#   activad     the daemon binary
#   vendor_bin  the activa-vendor binary
#   me          the script's name, for messages
# and calls setup_vendor once, then start_host / stop_host per host.
#
# start_host NAME sets daemon_pid, port, sock and state; the host gets a
# port chosen here (older daemons refuse port = 0) and the lines in
# $daemon_extra, if any, in its [daemon] table.

daemon_pid=""

step() { printf '\n== %s\n' "$*"; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# mgmt SOCKET JSON: one management request; prints the response line.
mgmt() {
  python3 - "$1" "$2" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(60)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
buf = b""
while not buf.endswith(b"\n"):
    chunk = s.recv(65536)
    if not chunk:
        break
    buf += chunk
print(buf.decode().strip())
EOF
}

# field JSON NAME: a top-level field of a JSON line.
field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

check_ok() {
  if [[ $(field "$2" result) != 0 ]]; then
    echo "$me: $1 failed: $2" >&2
    exit 1
  fi
}

# Stops the running host, if any; for the caller's EXIT trap.
stop_any_host() {
  if [[ -n $daemon_pid ]] && kill -0 "$daemon_pid" 2>/dev/null; then
    kill -TERM "$daemon_pid" 2>/dev/null || true
    wait "$daemon_pid" 2>/dev/null || true
  fi
  daemon_pid=""
}

# A vendor key, a catalog in $work/catalogs and a host key ($host_key).
setup_vendor() {
  step "Vendor: key, catalog, host key"
  "$vendor_bin" init "$work/vendor" --name "Load Test Software" >/dev/null
  mkdir -p "$work/catalogs"
  "$vendor_bin" catalog "$work/vendor" -o "$work/catalogs/load.json" >/dev/null
  mkdir -p "$work/trusted-vendors.d"
  "$vendor_bin" trust "$work/vendor" -o "$work/trusted-vendors.d/load.trust" 2>/dev/null
  local group
  group=$(python3 - "$work/vendor/vendor.toml" <<'EOF'
import sys, tomllib
print(tomllib.load(open(sys.argv[1], "rb"))["group"][0]["name"])
EOF
)
  host_key=$("$vendor_bin" mint host "$work/vendor" --group "$group" 2>/dev/null)
  echo "group \"$group\", catalog $work/catalogs/load.json"
}

# start_host NAME: a fresh host (own state folder and port), its key
# installed and activated offline.
start_host() {
  state=$work/$1
  mkdir -p "$state"
  port=$(free_port)
  cat >"$state/activa.toml" <<EOF
[daemon]
journal = false
machine_name = "load-host"
${daemon_extra:-}
[host]
${host_extra:-}
listen = ["127.0.0.1"]
port = $port
max_connections = 4096
idle_timeout_seconds = 30
# Every simulated client comes from 127.0.0.1: lift the per-address limits
# (which a real network of this size, from many addresses, never meets).
max_connections_per_address = 4096
max_new_clients_per_minute = 1000000
EOF
  # ${activad_wrap}: a command such as "taskset -c 0" to run activad under.
  ${activad_wrap:-} "$activad" --config "$state/activa.toml" --state-dir "$state" \
    --catalog-dir "$work/catalogs" --trusted-vendors "$work/trusted-vendors.d" \
    >"$state/activad.log" 2>&1 &
  daemon_pid=$!
  sock=$state/run/activad.sock
  for _ in $(seq 100); do [[ -S $sock ]] && break; sleep 0.05; done
  [[ -S $sock ]] || { echo "$me: activad did not start; see:" >&2; cat "$state/activad.log" >&2; exit 1; }
  check_ok ipk "$(mgmt "$sock" "{\"op\":\"ipk\",\"key\":\"$host_key\"}")"
  local dti iid cid
  dti=$(mgmt "$sock" '{"op":"dti"}')
  check_ok dti "$dti"
  iid=$(field "$dti" installation_id)
  cid=$("$vendor_bin" confirm "$work/vendor" "$iid" 2>/dev/null)
  check_ok atp "$(mgmt "$sock" "{\"op\":\"atp\",\"confirmation_id\":\"$cid\"}")"
  for _ in $(seq 100); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && break
    sleep 0.05
  done
  echo "activad pid $daemon_pid on 127.0.0.1:$port, state $state"
}

stop_host() {
  kill -TERM "$daemon_pid"
  wait "$daemon_pid" 2>/dev/null || true
  daemon_pid=""
}
