#!/usr/bin/env bash
# The Debian packages on this machine (docs/operations.md): build them (or
# take them from $ACTIVA_DEB_DIR), install them with dpkg -i, check files,
# users, groups, owners and modes and the manual pages, run the installed
# activad with the installed configuration the way its unit does, ask it
# with slmgr /dli, stop it, purge every package and check that nothing is
# left behind but what docs/operations.md says stays (the user activa and
# the groups activa and activa-admin, which this test then removes itself
# when it created them).
#
#   tests/package_test.sh SOURCE_DIR
#
# Needs root and dpkg-buildpackage: without them it skips (exit 77), except
# under CI=true, where it fails. It refuses to touch a machine where any of
# the packages is installed already (skip; in CI, fail).
set -euo pipefail

src=${1:?usage: package_test.sh SOURCE_DIR}
packages=(activad activa-vendor libactiva0 libactiva-dev)
ci=0
[ "${CI:-}" = "true" ] && ci=1

skip() {
  if [ $ci -eq 1 ]; then
    echo "package_test: FAIL (CI=true, so this does not skip): $*" >&2
    exit 1
  fi
  echo "package_test: SKIP: $*"
  exit 77
}
fail() {
  echo "package_test: FAIL: $*" >&2
  exit 1
}
step() { echo "== $*"; }

[ "$(id -u)" -eq 0 ] || skip "needs root (it installs and purges packages)"
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  if [ -n "$status" ] && [ "$status" != "not-installed" ]; then
    skip "package $p is $status on this machine; this test installs and purges its own, so it leaves it alone"
  fi
done
if [ -z "${ACTIVA_DEB_DIR:-}" ] && ! command -v dpkg-buildpackage >/dev/null; then
  skip "dpkg-buildpackage is missing (scripts/install-deps), and ACTIVA_DEB_DIR names no built packages"
fi

tmp=$(mktemp -d /tmp/activa-package-test.XXXXXX)
installed=0
daemon_pid=""
created_users=()
created_groups=()
cleanup() {
  local rc=$?
  if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
    kill -TERM "$daemon_pid" 2>/dev/null || true
    wait "$daemon_pid" 2>/dev/null || true
  fi
  if [ $installed -eq 1 ]; then
    dpkg --purge "${packages[@]}" >/dev/null 2>&1 || true
  fi
  for u in "${created_users[@]}"; do
    getent passwd "$u" >/dev/null && deluser --system --quiet "$u" >/dev/null 2>&1 || true
  done
  for g in "${created_groups[@]}"; do
    getent group "$g" >/dev/null && delgroup --system --quiet "$g" >/dev/null 2>&1 || true
  done
  rm -rf "$tmp"
  exit $rc
}
trap cleanup EXIT

# What is there before, to compare after the purge: every path naming
# activa outside the temporary folders and dpkg's own records, and the
# alternatives.
snapshot() {
  find /etc /usr /var /run /opt /srv -xdev \
    \( -path /var/lib/dpkg -o -path /var/cache -o -path /var/log -o -path /var/tmp \
       -o -path /var/lib/apt -o -path /run/user \) -prune -o -print 2>/dev/null |
    grep -i activa | sort || true
}
snapshot >"$tmp/before.paths"
update-alternatives --get-selections | sort >"$tmp/before.alternatives"
getent passwd activa >/dev/null || created_users+=(activa)
for g in activa activa-admin; do getent group "$g" >/dev/null || created_groups+=("$g"); done

if [ -n "${ACTIVA_DEB_DIR:-}" ]; then
  debs=$ACTIVA_DEB_DIR
  step "packages from $debs"
else
  debs=$tmp/debs
  step "building the packages (scripts/build-packages --no-lintian)"
  start=$(date +%s)
  "$src/scripts/build-packages" --no-lintian "$debs"
  echo "built in $(($(date +%s) - start)) s"
fi
files=()
for p in "${packages[@]}"; do
  f=$(ls -t "$debs"/"${p}"_*.deb 2>/dev/null | head -n 1)
  [ -n "$f" ] || fail "no ${p}_*.deb in $debs"
  files+=("$f")
done

step "dpkg -i ${files[*]##*/}"
installed=1
dpkg -i "${files[@]}"

step "files, owners and modes"
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
expect_mode() {  # PATH "MODE OWNER GROUP"
  [ -e "$1" ] || fail "$1 is missing"
  local got
  got=$(stat -c '%a %U %G' "$1")
  [ "$got" = "$2" ] || fail "$1 is $got, not $2"
}
expect_mode /usr/sbin/activad "755 root root"
expect_mode /usr/bin/slmgr "755 root root"
expect_mode /usr/bin/activa-vendor "755 root root"
expect_mode /lib/systemd/system/activad.service "644 root root"
expect_mode /usr/lib/sysusers.d/activa.conf "644 root root"
expect_mode /etc/activa "755 root root"
expect_mode /etc/activa/activa.toml "640 root activa"
expect_mode /etc/activa/trusted-vendors.d "755 root root"
expect_mode /usr/share/activa/catalogs "755 root root"
expect_mode /var/lib/activa "700 activa activa"
expect_mode /usr/lib/firewalld/services/activa.xml "644 root root"
expect_mode /usr/lib/firewalld/services/activa-management.xml "644 root root"
expect_mode /usr/share/bash-completion/completions/slmgr "644 root root"
expect_mode /usr/share/bash-completion/completions/activa-vendor "644 root root"
expect_mode /usr/include/activa/activa.h "644 root root"
expect_mode "/usr/lib/$multiarch/libactiva.a" "644 root root"
expect_mode "/usr/lib/$multiarch/pkgconfig/activa.pc" "644 root root"
[ -L "/usr/lib/$multiarch/libactiva.so" ] || fail "/usr/lib/$multiarch/libactiva.so is not a link"
[ -e "/usr/lib/$multiarch/libactiva.so.1" ] || fail "libactiva.so.1 is missing"
if [ -e "$src/packaging/pam.d/activa" ]; then
  expect_mode /etc/pam.d/activa "644 root root"
  cmp -s "$src/packaging/pam.d/activa" /etc/pam.d/activa || fail "/etc/pam.d/activa is not packaging/pam.d/activa"
fi
dpkg-query -W -f='${Conffiles}\n' activad | grep -q ' /etc/activa/activa.toml ' ||
  fail "/etc/activa/activa.toml is not a conffile of activad"
grep -q '^ExecStart=/usr/sbin/activad --config /etc/activa/activa.toml' \
  /lib/systemd/system/activad.service || fail "the unit does not start the installed activad"

step "users and groups"
IFS=: read -r _ _ uid gid _ home shell < <(getent passwd activa) || fail "no user activa"
[ "$uid" -lt 1000 ] || fail "activa is not a system user (uid $uid)"
[ "$(getent group activa | cut -d: -f3)" = "$gid" ] || fail "activa's primary group is not activa"
[ "$home" = /var/lib/activa ] || fail "activa's home is $home"
[ "$shell" = /usr/sbin/nologin ] || fail "activa's shell is $shell"
admin_gid=$(getent group activa-admin | cut -d: -f3) || fail "no group activa-admin"
[ "$admin_gid" -lt 1000 ] || fail "activa-admin is not a system group (gid $admin_gid)"
dpkg-statoverride --list /etc/activa/activa.toml | grep -Eq '^root activa 0?640 /etc/activa/activa.toml$' ||
  fail "no statoverride root activa 0640 for /etc/activa/activa.toml"

step "manual pages"
for page in 8:activad 8:slmgr 5:activa.toml 1:activa-vendor 3:libactiva; do
  section=${page%%:*}
  name=${page#*:}
  file=/usr/share/man/man$section/$name.$section.gz
  [ -r "$file" ] || fail "$file is missing"
  MANWIDTH=80 man -l "$file" >"$tmp/page" 2>"$tmp/page.err" || fail "man -l $file: $(cat "$tmp/page.err")"
  grep -q NAME "$tmp/page" || fail "man -l $file shows no NAME"
  MANWIDTH=80 MANPAGER=cat man "$section" "$name" >"$tmp/page" 2>"$tmp/page.err" ||
    fail "man $section $name: $(cat "$tmp/page.err")"
done
MANWIDTH=200 MANPAGER=cat man slmgr | grep -q '/skms-domain' || fail "man slmgr does not show /skms-domain"

step "the library links from its pkg-config file"
cat >"$tmp/product.c" <<'C'
#include <activa/activa.h>
#include <stdio.h>
int main(void) { return activa_result_message(ACTIVA_OK) == NULL; }
C
# shellcheck disable=SC2046
cc -o "$tmp/product" "$tmp/product.c" $(pkg-config --cflags --libs activa)
"$tmp/product" || fail "a program linked with -lactiva does not run"

step "the installed activad with the installed configuration"
# As systemd would start the unit: as its User= (root when it names none),
# with CAP_NET_BIND_SERVICE as its AmbientCapabilities give it, and with
# the folders of StateDirectory= and RuntimeDirectory= given to that user
# and mode, as systemd does before ExecStart (it changes the owner of an
# existing StateDirectory= to the unit's user).
unit=/lib/systemd/system/activad.service
unit_value() { sed -n "s/^$1=//p" "$unit" | tail -n 1; }
unit_user=$(unit_value User)
unit_user=${unit_user:-root}
unit_group=$(unit_value Group)
unit_group=${unit_group:-$(id -gn "$unit_user")}
state_mode=$(unit_value StateDirectoryMode)
runtime_mode=$(unit_value RuntimeDirectoryMode)
[ "$(unit_value StateDirectory)" = activa ] || fail "the unit's StateDirectory= is not activa"
chown -R "$unit_user:$unit_group" /var/lib/activa
chmod "${state_mode:-0755}" /var/lib/activa
install -d -o "$unit_user" -g "$unit_group" -m "${runtime_mode:-0755}" /run/activa
run=(/usr/sbin/activad --config /etc/activa/activa.toml)
if [ "$unit_user" != root ]; then
  run=(setpriv --reuid "$unit_user" --regid "$unit_group" --init-groups
       --inh-caps +net_bind_service --ambient-caps +net_bind_service "${run[@]}")
fi
echo "as $unit_user:$unit_group (the unit's User= and Group=)"
"${run[@]}" >"$tmp/activad.log" 2>&1 &
daemon_pid=$!
for _ in $(seq 1 300); do
  [ -S /run/activa/activad.sock ] && break
  kill -0 "$daemon_pid" 2>/dev/null || fail "activad exited: $(cat "$tmp/activad.log")"
  sleep 0.1
done
[ -S /run/activa/activad.sock ] || fail "activad made no socket in 30 s: $(cat "$tmp/activad.log")"
slmgr /dli >"$tmp/dli" 2>&1 || fail "slmgr /dli: $(cat "$tmp/dli")"
cat "$tmp/dli"
# Reading is open to every user.
setpriv --reuid nobody --regid nogroup --clear-groups slmgr /dli >/dev/null 2>&1 ||
  fail "slmgr /dli as nobody was refused"
kill -TERM "$daemon_pid"
rc=0
wait "$daemon_pid" || rc=$?
daemon_pid=""
[ $rc -eq 0 ] || fail "activad exited with $rc on SIGTERM: $(cat "$tmp/activad.log")"
[ -e /var/lib/activa/activad.db ] || fail "activad left no state in /var/lib/activa"
[ "$(stat -c '%a' /var/lib/activa/activad.db)" = 600 ] || fail "activad.db is not 0600"

step "dpkg --purge ${packages[*]}"
dpkg --purge "${packages[@]}"
installed=0
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ -z "$status" ] || [ "$status" = not-installed ] || fail "$p is still $status"
done

step "nothing left behind"
snapshot >"$tmp/after.paths"
if ! diff -u "$tmp/before.paths" "$tmp/after.paths"; then
  fail "the purge left the paths above (+) behind"
fi
update-alternatives --get-selections | sort >"$tmp/after.alternatives"
diff -u "$tmp/before.alternatives" "$tmp/after.alternatives" || fail "the alternatives changed"
if dpkg-statoverride --list | grep -i activa; then fail "a statoverride is left"; fi
# docs/operations.md: the user and groups stay after a purge.
getent passwd activa >/dev/null || fail "the purge removed the user activa (docs say it stays)"
getent group activa >/dev/null || fail "the purge removed the group activa (docs say it stays)"
getent group activa-admin >/dev/null || fail "the purge removed the group activa-admin (docs say it stays)"

echo "package_test: OK"
