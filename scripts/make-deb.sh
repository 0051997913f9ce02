#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the oci-policyd Debian package into OUT_DIR (default build/deb) and runs lintian on it.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
OUT=$(mkdir -p "${1:-$SRC/build/deb}" && cd "${1:-$SRC/build/deb}" && pwd)
WORK=$(mktemp -d /tmp/pddeb.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

for p in debhelper dpkg-dev fakeroot lintian; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$p" >/dev/null
done
# The project's files (tracked, or new and not ignored): no build trees, no caches.
git -C "$SRC" ls-files -z --cached --others --exclude-standard |
	(cd "$SRC" && xargs -0 cp --parents -t "$WORK") 2>/dev/null ||
	tar -C "$SRC" --exclude='./build*' --exclude=.git -c . | tar -C "$WORK" -x
mkdir -p "$WORK/src" && find "$WORK" -mindepth 1 -maxdepth 1 ! -name src -exec mv -t "$WORK/src" {} +
cp -r "$WORK/src/packaging/debian" "$WORK/src/debian"
(cd "$WORK/src" && dpkg-buildpackage -us -uc -b >"$WORK/build.log" 2>&1) || {
	tail -30 "$WORK/build.log" >&2
	echo "make-deb: dpkg-buildpackage failed" >&2
	exit 1
}
cp "$WORK"/*.deb "$OUT/"
DEB=$(ls "$OUT"/oci-policyd_*.deb | tail -1)
echo "built $DEB"
lintian --fail-on error "$DEB" || {
	echo "make-deb: lintian reports errors" >&2
	exit 1
}
