# Shared by the scripts in scripts/: find JDK 25, install Debian packages, build the reactor.
# Sourced, never run. Each function says plainly what is missing.

VPCIE_ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)

vpcie_die() { echo "vpcie: $*" >&2; exit 1; }
vpcie_info() { echo "vpcie: $*" >&2; }

# JDK 25: $JAVA_HOME if it is 25 or newer, else the newest suitable JDK under /usr/lib/jvm.
vpcie_find_jdk() {
  local cand v
  for cand in "${JAVA_HOME:-}" /usr/lib/jvm/*; do
    [ -n "$cand" ] && [ -x "$cand/bin/javac" ] || continue
    v=$("$cand/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
    if [ -n "$v" ] && [ "${v%%.*}" -ge 25 ] 2>/dev/null; then
      export JAVA_HOME=$cand
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done
  vpcie_die "no JDK 25 found: set JAVA_HOME to a JDK 25 (looked at \$JAVA_HOME='${JAVA_HOME:-}' and /usr/lib/jvm/*).
  On Debian: install Temurin 25 from Adoptium, or any OpenJDK 25 build, then re-run."
}

# vpcie_need_pkgs CMD:PACKAGE ... — installs PACKAGE when CMD (a command or an absolute file) is missing.
vpcie_need_pkgs() {
  local want=() spec cmd pkg
  for spec in "$@"; do
    cmd=${spec%%:*}; pkg=${spec#*:}
    if [[ $cmd == /* ]]; then [ -e "$cmd" ] && continue
    else command -v "$cmd" >/dev/null 2>&1 && continue; fi
    want+=("$pkg")
  done
  [ ${#want[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    vpcie_info "missing Debian packages: ${want[*]} (run as root to install them, or: sudo apt-get install ${want[*]})"
    return 1
  fi
  vpcie_info "installing ${want[*]} ..."
  # tshark's wireshark-common asks whether non-root users may capture: answer no, without a prompt.
  if command -v debconf-set-selections >/dev/null 2>&1; then
    echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  fi
  if [ -z "${VPCIE_APT_UPDATED:-}" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || vpcie_die "apt-get update failed"
    export VPCIE_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null \
    || vpcie_die "apt-get install ${want[*]} failed"
}

export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"

vpcie_need_maven() {
  command -v mvn >/dev/null 2>&1 || vpcie_need_pkgs mvn:maven || vpcie_die "Maven is missing: apt-get install maven"
}

# Packages the network tests and the demo use. libpcap for PcapTransport, nft for loss injection,
# tshark for the Wireshark dissector's test (tools/wireshark/vpcie.lua).
vpcie_net_pkgs() {
  vpcie_need_pkgs /usr/lib/x86_64-linux-gnu/libpcap.so.0.8:libpcap0.8 nft:nftables ping:iputils-ping ip:iproute2 lspci:pciutils \
    tshark:tshark
}

# Packages the distribution's build and test use: jpackage's .deb needs fakeroot; the unit files
# are checked with systemd-analyze (no running systemd needed).
vpcie_dist_pkgs() {
  vpcie_need_pkgs fakeroot:fakeroot systemd-analyze:systemd
}

VPCIE_CLI_JAR="$VPCIE_ROOT/cli/target/vpcie.jar"

# Builds the command-line program when it is missing or older than any source file.
vpcie_build_if_needed() {
  if [ -f "$VPCIE_CLI_JAR" ] && [ -z "$(find "$VPCIE_ROOT" -path '*/src/main/*' -newer "$VPCIE_CLI_JAR" -print -quit 2>/dev/null)" ] \
     && [ -z "$(find "$VPCIE_ROOT" -name pom.xml -newer "$VPCIE_CLI_JAR" -print -quit)" ]; then
    return 0
  fi
  vpcie_need_maven
  vpcie_info "building (mvn package, tests skipped) ..."
  (cd "$VPCIE_ROOT" && mvn -q -B -ntp -Dstyle.color=never -DskipTests package -pl cli -am) >&2 || vpcie_die "build failed"
}

# The JVM options of every vpcie process the scripts start (dist/src/build/dist.sh gives the
# packaged launcher the same): FFM for the native transports, Agrona's and Netty's internal access
# without warnings, a small serial heap, and JIT thresholds at a twentieth of the defaults. The
# last matters for latency: a ping every 5 ms runs each per-frame method ~200 times a second, so
# with the default thresholds it ran in the interpreter and then C1's profiling tier for half a
# minute (a ping through the NIC took 290-330 µs after 200 warm-up pings, 130 µs with the scaled
# thresholds; docs/performance.md, "The JIT's thresholds").
VPCIE_JVM_OPTS=(--enable-native-access=ALL-UNNAMED --add-exports java.base/jdk.internal.misc=ALL-UNNAMED
                --sun-misc-unsafe-memory-access=allow -XX:+UseSerialGC -XX:CompileThresholdScaling=0.05)

vpcie_java() {
  exec "$JAVA_HOME/bin/java" "${VPCIE_JVM_OPTS[@]}" -Xss512k \
    -cp "$VPCIE_CLI_JAR:$VPCIE_ROOT/cli/target/lib/*" "$@"
}
