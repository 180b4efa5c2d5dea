#!/bin/sh
# Writes the build's version.properties: the pom's version and the git commit it was built from,
# with "-dirty" when the work tree differs from that commit (tracked changes or untracked files).
# Outside a git checkout (or without git) the commit is "unknown". Run by cli/pom.xml.
#   version-properties.sh VERSION SOURCE_DIR OUTPUT_FILE
set -eu
version=$1 src=$2 out=$3
commit=unknown
if command -v git >/dev/null 2>&1 && head=$(git -C "$src" rev-parse --short=12 HEAD 2>/dev/null); then
  commit=$head
  [ -z "$(git -C "$src" status --porcelain 2>/dev/null | head -n 1)" ] || commit="$commit-dirty"
fi
mkdir -p "$(dirname "$out")"
printf 'version=%s\ncommit=%s\n' "$version" "$commit" > "$out.tmp"
mv "$out.tmp" "$out"
