#!/usr/bin/env bash
# Makes the distribution from the application's jars (target/app-jars, copied by Maven):
#   target/runtime                          a Java runtime with only the JDK modules the jars use (jdeps, jlink)
#   target/image/vpcie                      the application image: bin/vpcie (jpackage's native launcher,
#                                           the JVM options baked in), lib/app (the jars), lib/runtime
#   target/vpcie-VERSION-linux-x64.tar.gz   that image plus the units and docs, runnable from anywhere
#   target/vpcie_VERSION_amd64.deb          jpackage --type deb, then /usr/bin/vpcie, the systemd units and
#                                           the docs added (jpackage only places files under its install dir)
# Run by dist/pom.xml:  dist.sh JAVA_HOME VERSION auto|required
# With "auto" a host without fakeroot or dpkg-deb gets the tarball and a note; "required" fails instead.
set -euo pipefail
jdk=$1 version=$2 deb_mode=$3
module=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
target=$module/target
root=$(cd "$module/.." && pwd)
say() { echo "vpcie dist: $*" >&2; }
die() { say "$*"; exit 1; }

# The launcher's JVM options, as scripts/lib.sh's vpcie_java passes them: FFM for the native
# transports, Agrona's and Netty's internal access without warnings, a small serial heap, JIT
# thresholds at a twentieth of the defaults (per-frame code compiled after seconds of light traffic,
# not minutes: docs/performance.md, "The JIT's thresholds").
java_options=(--enable-native-access=ALL-UNNAMED --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED
              --sun-misc-unsafe-memory-access=allow -XX:+UseSerialGC -XX:CompileThresholdScaling=0.05 -Xss512k)

# jpackage takes a dotted number; the Debian version keeps a qualifier after "~" (sorts before the release).
app_version=${version%%-*}
deb_version=${version/-/\~}
main_jar=$(cd "$target/app-jars" && ls vpcie-cli-*.jar)

rm -rf "$target/runtime" "$target/image" "$target/tar" "$target/deb-root" "$target/jpackage-deb" "$target"/*.deb "$target"/*.tar.gz

# --- the JDK modules the jars use (jdeps, see ModuleDeps.java)
# Not java.desktop: JNA refers to it only in its AWT helpers (Native.getComponentID and kin),
# which vpcie never calls, and it would make the package depend on X11 and ALSA libraries.
module_list=$("$jdk/bin/java" "$module/src/build/ModuleDeps.java" "$target"/app-jars/*.jar | tr , '\n' \
  | grep -vx java.desktop | paste -sd, -)
say "JDK modules: $module_list ($SECONDS s)"

# With the JDK's class-data-sharing archive (14 MB): a command starts ~0.2 s sooner (tlp decode,
# alternating runs with and without -Xshare:off: median 2.3 s against 2.5 s at load 11 on 2 cores).
# Only the compressed-oops archive: the other serves heaps of 32 GB and more.
"$jdk/bin/jlink" --add-modules "$module_list" --strip-debug --no-man-pages --no-header-files \
  --compress=zip-6 --generate-cds-archive --output "$target/runtime"
rm -f "$target/runtime/lib/server/classes_nocoops.jsa"

"$jdk/bin/jpackage" --type app-image --dest "$target/image" --name vpcie --app-version "$app_version" \
  --vendor vpcie --description "A PCI Express virtual interconnect in software" \
  --input "$target/app-jars" --main-jar "$main_jar" --main-class dev.vpcie.cli.Main \
  --runtime-image "$target/runtime" --java-options "${java_options[*]}"

# What both packages carry besides the image: the units, example configurations, the docs.
extras() {  # extras DOC_DIR UNIT_DIR
  mkdir -p "$1/examples" "$2"
  cp "$root/README.md" "$root/docs/cli.md" "$root/docs/hardware.md" "$1/"
  cp "$module"/src/examples/* "$1/examples/"
  cp "$module"/src/systemd/*.service "$2/"
}

# --- the tarball: vpcie-VERSION/bin/vpcie finds its lib/ through /proc/self/exe, so it runs from
# anywhere and through a symlink.
tar_dir="$target/tar/vpcie-$version"
mkdir -p "$target/tar"
cp -a "$target/image/vpcie" "$tar_dir"
extras "$tar_dir/share/doc/vpcie" "$tar_dir/share/systemd"
tar -C "$target/tar" -czf "$target/vpcie-$version-linux-x64.tar.gz" "vpcie-$version"
say "made target/vpcie-$version-linux-x64.tar.gz ($SECONDS s)"

# --- the Debian package
missing=()
for tool in fakeroot dpkg-deb; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$deb_mode" = required ] && die "cannot make the .deb: ${missing[*]} missing (apt-get install fakeroot)"
  say "no .deb: ${missing[*]} missing (apt-get install fakeroot); the tarball is made"
  exit 0
fi

# jpackage's .deb: the image under /opt/vpcie, Depends from the libraries its binaries link
# (found with ldd and dpkg -S) plus libpcap0.8, the control file from src/deb. Uncompressed: it is
# unpacked and packed again below.
DPKG_DEB_COMPRESSOR_TYPE=none "$jdk/bin/jpackage" --type deb --dest "$target/jpackage-deb" \
  --app-image "$target/image/vpcie" --name vpcie --app-version "$app_version" \
  --vendor vpcie --description "A PCI Express virtual interconnect in software" \
  --linux-package-name vpcie --linux-deb-maintainer "vpcie@localhost" --linux-app-category net \
  --linux-package-deps libpcap0.8 --resource-dir "$module/src/deb"

say "jpackage made its .deb ($SECONDS s)"

# What jpackage cannot place: /usr/bin/vpcie (relative, so it also works in a tree unpacked
# elsewhere), the systemd units, the docs; and the Debian form of the version.
stage="$target/deb-root"
dpkg-deb -R "$target"/jpackage-deb/*.deb "$stage"
mkdir -p "$stage/usr/bin"
ln -s ../../opt/vpcie/bin/vpcie "$stage/usr/bin/vpcie"
extras "$stage/usr/share/doc/vpcie" "$stage/lib/systemd/system"
mkdir -p "$stage/etc/vpcie"
sed -i -e "s/^Version: .*/Version: $deb_version/" \
  -e "s/^Installed-Size: .*/Installed-Size: $(du -sk --exclude=DEBIAN "$stage" | cut -f1)/" "$stage/DEBIAN/control"
(cd "$stage" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | xargs -0 md5sum > DEBIAN/md5sums)
dpkg-deb --root-owner-group -Zgzip -z6 -b "$stage" "$target/vpcie_${version}_amd64.deb" >/dev/null
say "made target/vpcie_${version}_amd64.deb: $(dpkg-deb -f "$target/vpcie_${version}_amd64.deb" Version Depends Recommends | paste -sd' ' -) ($SECONDS s)"
