# Network namespaces for the demo and benchmarks. Sourced after lib.sh.
# Every name carries a per-run suffix so parallel runs never collide, and vpcie_netns_cleanup
# (installed as an EXIT trap by vpcie_netns_init) removes everything the run made.

VPCIE_NS_SUFFIX=${VPCIE_NS_SUFFIX:-$$}
VPCIE_NS_MADE=()
VPCIE_PIDS=()

vpcie_netns_init() {
  [ "$(id -u)" -eq 0 ] || return 1
  trap vpcie_netns_cleanup EXIT
  trap 'exit 130' INT TERM
}

# vpcie_ns NAME -> prints the full namespace name and creates it.
vpcie_ns_add() {
  local ns="vp-$1-$VPCIE_NS_SUFFIX"
  ip netns add "$ns" || vpcie_die "ip netns add $ns failed"
  VPCIE_NS_MADE+=("$ns")
  ip -n "$ns" link set lo up
  echo "$ns"
}

# vpcie_veth NS_A IF_A NS_B IF_B [MTU] — a veth pair with one end in each namespace, both up.
vpcie_veth() {
  local tmp="vpt$RANDOM$RANDOM"
  ip link add "$tmp" mtu "${5:-1500}" type veth peer name "${tmp}p" mtu "${5:-1500}" || vpcie_die "ip link add veth failed"
  ip link set "$tmp" netns "$1" name "$2" && ip link set "${tmp}p" netns "$3" name "$4" \
    || vpcie_die "moving veth into namespaces failed"
  ip -n "$1" link set "$2" up && ip -n "$3" link set "$4" up
}

# vpcie_bg NS LOGFILE CMD... — runs a command in a namespace in the background, remembered for cleanup.
vpcie_bg() {
  local ns=$1 log=$2; shift 2
  ip netns exec "$ns" "$@" >"$log" 2>&1 &
  VPCIE_PIDS+=($!)
}

vpcie_netns_cleanup() {
  set +e # a process that already exited must not stop the clean-up under the caller's errexit
  local pid ns
  for pid in "${VPCIE_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${VPCIE_PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
  done
  # Also the ones made inside a command substitution, whose record died with the subshell.
  for ns in "${VPCIE_NS_MADE[@]}" $(ip netns list 2>/dev/null | awk '{print $1}' | grep -- "^vp-.*-$VPCIE_NS_SUFFIX\$"); do
    # Processes still inside (a child of a killed launcher) would keep the namespace alive.
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
    ip netns del "$ns" 2>/dev/null
  done
  VPCIE_PIDS=(); VPCIE_NS_MADE=()
}
