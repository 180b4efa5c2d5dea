#!/usr/bin/env bash
# The distribution as a user gets it: the .deb unpacked into a fresh tree (dpkg -x) and the tarball
# unpacked elsewhere, each run with an empty environment (no JDK, no JAVA_HOME, nothing on the
# PATH): --version, tlp decode, and an endpoint and a VRC's lspci over UDP on 127.0.0.1 with the
# installed launcher, stderr empty throughout (no JVM warnings). The systemd units pass
# systemd-analyze verify against the unpacked tree. Run by dist/pom.xml:
#   install-test.sh VERSION DIST_SKIPPED auto|required
# "required" (scripts/test as root) fails where "auto" skips: no .deb, no systemd-analyze.
set -euo pipefail
version=$1 dist_skipped=$2 mode=$3
module=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
deb=$module/target/vpcie_${version}_amd64.deb
tarball=$module/target/vpcie-$version-linux-x64.tar.gz
say() { echo "vpcie install test: $*" >&2; }
fail() { say "FAILED: $*"; exit 1; }

[ "$dist_skipped" = true ] && { say "skipped (-Dvpcie.dist.skip)"; exit 0; }
[ -f "$tarball" ] || fail "no $tarball"
if [ ! -f "$deb" ]; then
  [ "$mode" = required ] && fail "no $deb"
  say "skipped: no .deb was made (fakeroot missing)"; exit 0
fi

work=$(mktemp -d /tmp/vpcie-install-test.XXXXXX)
pids=()
# stop PID: SIGTERM, then SIGKILL if it is still there after 30 s; its exit status in $stopped.
stop() {
  stopped=0
  kill -TERM "$1" 2>/dev/null || true
  for _ in $(seq 300); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null && say "process $1 ignored SIGTERM for 30 s: killed"
  wait "$1" 2>/dev/null || stopped=$?
  local keep=() p
  for p in "${pids[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
  pids=("${keep[@]}")
}
cleanup() {
  local p
  for p in "${pids[@]}"; do stop "$p"; done
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/root" "$work/tar" "$work/empty-path" "$work/home"

dpkg -x "$deb" "$work/root"
tar -C "$work/tar" -xzf "$tarball"

depends=$(dpkg-deb -f "$deb" Depends)
[[ $depends == *libpcap0.8* ]] || fail "Depends lacks libpcap0.8: $depends"

# An empty environment (no JAVA_HOME, an empty directory as PATH). A command, not a function: a
# background job started with it has the launcher's own process ID.
clean_env=(env -i HOME="$work/home" PATH="$work/empty-path" LANG=C.UTF-8)
# run NAME COMMAND...: COMMAND must succeed and write nothing to stderr; its stdout is in $work/NAME.out.
run() {
  local name=$1; shift
  "$@" >"$work/$name.out" 2>"$work/$name.err" \
    || fail "$* exited $? (stderr: $(cat "$work/$name.err"))"
  [ ! -s "$work/$name.err" ] || fail "$* wrote to stderr: $(cat "$work/$name.err")"
}

vpcie=$work/root/usr/bin/vpcie
[ -L "$vpcie" ] || fail "/usr/bin/vpcie is not in the package"

run version "${clean_env[@]}" "$vpcie" --version
grep -q "^vpcie $version (commit [0-9a-f]\{12\}\(-dirty\)\?)$" "$work/version.out" \
  || fail "--version printed: $(cat "$work/version.out")"
run subversion "${clean_env[@]}" "$vpcie" tlp decode -V
cmp -s "$work/version.out" "$work/subversion.out" || fail "tlp decode -V differs from --version"

run decode "${clean_env[@]}" "$vpcie" tlp decode 4a000001 01000004 00000000
grep -q "^kind *CplD" "$work/decode.out" || fail "tlp decode printed: $(cat "$work/decode.out")"

# The tarball's launcher, through a symlink in another directory.
ln -s "$work/tar/vpcie-$version/bin/vpcie" "$work/vpcie-link"
run tar-version "${clean_env[@]}" "$work/vpcie-link" --version
cmp -s "$work/version.out" "$work/tar-version.out" || fail "the tarball's --version differs from the .deb's"

# An endpoint and a VRC over UDP on 127.0.0.1, both from the unpacked .deb.
free_udp_port() {
  local p
  for _ in $(seq 50); do
    p=$((20000 + RANDOM % 30000))
    command -v ss >/dev/null 2>&1 || { echo "$p"; return; }
    ss -Hlun "sport = :$p" | grep -q . || { echo "$p"; return; }
  done
  fail "no free UDP port on 127.0.0.1"
}
ep_port=$(free_udp_port); vrc_port=$(free_udp_port)
while [ "$vrc_port" = "$ep_port" ]; do vrc_port=$(free_udp_port); done

"${clean_env[@]}" "$vpcie" endpoint --transport udp \
  --udp-listen "127.0.0.1:$ep_port" --udp-peer "127.0.0.1:$vrc_port" --device dmatest \
  </dev/null >"$work/endpoint.out" 2>"$work/endpoint.err" &
endpoint=$!
pids+=("$endpoint")
# Wait for its ready line (bounded: 120 s, for a loaded CI host), or for it to die.
for _ in $(seq 1200); do
  grep -q "endpoint ready" "$work/endpoint.out" && break
  kill -0 "$endpoint" 2>/dev/null || fail "the endpoint exited: $(cat "$work/endpoint.out" "$work/endpoint.err")"
  sleep 0.1
done
grep -q "endpoint ready" "$work/endpoint.out" || fail "the endpoint was not ready after 120 s"

run lspci "${clean_env[@]}" "$vpcie" vrc --transport udp --udp-listen "127.0.0.1:$vrc_port" --udp-peer "127.0.0.1:$ep_port" lspci
grep -q "^01:00.0 .*10f0" "$work/lspci.out" || fail "lspci printed: $(cat "$work/lspci.out")"

# The JVM ends with 143 (128 + SIGTERM) after its shutdown hooks; the units take it as success.
stop "$endpoint"
[ "$stopped" = 0 ] || [ "$stopped" = 143 ] || fail "the endpoint's exit status after SIGTERM was $stopped"
[ ! -s "$work/endpoint.err" ] || fail "the endpoint wrote to stderr: $(cat "$work/endpoint.err")"

# As root: what the units grant is enough - an endpoint and a VRC over AF_PACKET on a veth pair,
# each as an unprivileged user holding only the ambient CAP_NET_RAW and CAP_NET_ADMIN.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1 && command -v ip >/dev/null 2>&1; then
  veth_a="vpd$$a" veth_b="vpd$$b"
  ip link add "$veth_a" type veth peer name "$veth_b"
  trap 'ip link del "$veth_a" 2>/dev/null || true; cleanup' EXIT
  ip link set "$veth_a" up && ip link set "$veth_b" up
  chmod 755 "$work"
  as_service=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=+net_raw,+net_admin
              --ambient-caps=+net_raw,+net_admin env -i HOME=/ PATH="$work/empty-path" LANG=C.UTF-8)
  "${as_service[@]}" "$vpcie" endpoint --iface "$veth_b" --device dmatest </dev/null >"$work/cap-endpoint.out" 2>"$work/cap-endpoint.err" &
  endpoint=$!
  pids+=("$endpoint")
  for _ in $(seq 1200); do
    grep -q "endpoint ready" "$work/cap-endpoint.out" && break
    kill -0 "$endpoint" 2>/dev/null || fail "the endpoint with capabilities exited: $(cat "$work/cap-endpoint.out" "$work/cap-endpoint.err")"
    sleep 0.1
  done
  grep -q "endpoint ready" "$work/cap-endpoint.out" || fail "the endpoint with capabilities was not ready after 120 s"
  run cap-lspci "${as_service[@]}" "$vpcie" vrc --iface "$veth_a" lspci
  grep -q "^01:00.0 .*10f0" "$work/cap-lspci.out" || fail "lspci with capabilities printed: $(cat "$work/cap-lspci.out")"
  stop "$endpoint"
  [ "$stopped" = 0 ] || [ "$stopped" = 143 ] || fail "the endpoint's exit status after SIGTERM was $stopped"
  [ ! -s "$work/cap-endpoint.err" ] || fail "the endpoint with capabilities wrote to stderr: $(cat "$work/cap-endpoint.err")"
  ip link del "$veth_a"
  capabilities="; endpoint + VRC lspci over AF_PACKET as nobody with CAP_NET_RAW and CAP_NET_ADMIN"
else
  capabilities=""
  say "not root: the units' capabilities are not tried"
fi

# The units, against the unpacked tree (with the host's own units beside them: the targets they name).
if command -v systemd-analyze >/dev/null 2>&1; then
  cp -rn /lib/systemd/system/. "$work/root/lib/systemd/system/"
  out=$(systemd-analyze verify --root="$work/root" vpcie-endpoint@example.service vpcie-vrc@example.service 2>&1) \
    || fail "systemd-analyze verify: $out"
  [ -z "$out" ] || fail "systemd-analyze verify: $out"
elif [ "$mode" = required ]; then
  fail "systemd-analyze is missing (apt-get install systemd)"
else
  say "the units are not verified: systemd-analyze is missing (apt-get install systemd)"
fi

say "passed: --version, tlp decode, endpoint + VRC lspci over UDP from the unpacked .deb$capabilities; the tarball's launcher; the systemd units"
