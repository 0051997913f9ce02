#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Debian package: built with no lintian errors; installs into a fresh debootstrap chroot,
# where policyd and policyctl run; remove takes the hooks away and keeps the state, purge
# removes it. Installed on this host, its hooks.d files in Podman's default directory and the
# daemon on the default socket register a plain `podman run` (no --hooks-dir).
source "$(dirname "$0")/lib.sh"

CACHE=${POLICYD_DEB_CACHE:-/var/cache/policyd-test-deb}
check "make deb: the package builds and lintian reports no errors" \
	bash "$POLICYD_SOURCE_DIR/scripts/make-deb.sh" "$T/deb"
DEB=$(ls "$T"/deb/oci-policyd_*.deb 2>/dev/null | tail -1)
[[ -n $DEB ]] || finish

# A fresh minbase chroot (cached as a tarball between runs on one machine).
MIRROR=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null)
MIRROR=${MIRROR:-http://deb.debian.org/debian}
if [[ ! -s $CACHE/minbase.tar ]]; then
	mkdir -p "$CACHE"
	debootstrap --variant=minbase bookworm "$T/mk" "$MIRROR" >"$T/debootstrap.log" 2>&1 &&
		tar -C "$T/mk" -cf "$CACHE/minbase.tar.tmp" . && mv "$CACHE/minbase.tar.tmp" "$CACHE/minbase.tar"
	rm -rf "$T/mk"
fi
ROOT=$T/chroot
mkdir -p "$ROOT" && tar -C "$ROOT" -xf "$CACHE/minbase.tar"
cp /etc/apt/sources.list.d/debian.sources "$ROOT/etc/apt/sources.list.d/" 2>/dev/null || true
cp "$DEB" "$ROOT/tmp/"
mount -t proc proc "$ROOT/proc"
trap 'umount "$ROOT/proc" 2>/dev/null; cleanup' EXIT
in_root() { chroot "$ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"; }
in_root apt-get update -qq >"$T/apt.log" 2>&1
check "the .deb installs into a fresh chroot (with its dependencies)" \
	in_root apt-get install -y -qq --no-install-recommends "/tmp/$(basename "$DEB")"
check "policyd --version runs there" bash -c "chroot '$ROOT' /usr/sbin/policyd --version | grep -q '^policyd '"
check "policyctl --help runs there" chroot "$ROOT" /usr/bin/policyctl --help
check "the hooks are in Podman's default directory" test -f "$ROOT/usr/share/containers/oci/hooks.d/99-policyd-precreate.json"
mkdir -p "$ROOT/var/lib/policyd" && echo kept >"$ROOT/var/lib/policyd/marker"
check "remove succeeds" in_root apt-get remove -y -qq oci-policyd
check "remove takes the hooks away (containers keep starting)" \
	test ! -e "$ROOT/usr/share/containers/oci/hooks.d/99-policyd-precreate.json"
check "remove keeps the state" test -f "$ROOT/var/lib/policyd/marker"
check "purge succeeds" in_root apt-get purge -y -qq oci-policyd
check "purge removes the state" test ! -e "$ROOT/var/lib/policyd"
check "purge removes the configuration" test ! -e "$ROOT/etc/policyd/policyd.conf"
umount "$ROOT/proc"

# On this host: the package's hooks in the default directory, the daemon on the default socket.
if [[ -e /usr/sbin/policyd || -S /run/policyd/policyd.sock ]]; then
	echo "SKIP the host install: an oci-policyd is already installed or running here"
	finish
fi
setup_all
HOST_STATE=$T/host-state
dpkg -i "$DEB" >"$T/dpkg.log" 2>&1
trap 'dpkg --purge oci-policyd >/dev/null 2>&1; cleanup' EXIT
/usr/sbin/policyd --state-dir "$HOST_STATE" >>"$T/policyd.log" 2>&1 &
PD_PID=$!
for _ in $(seq 100); do /usr/bin/policyctl list >/dev/null 2>&1 && break; sleep 0.05; done
check "a plain podman run (no --hooks-dir) starts" podman run --rm --network none --runtime crun \
	--annotation io.policyd.profile=plain "$IMAGE" true
check "and is registered as a run" test "$(/usr/bin/policyctl list --json | jq -r '.[] | select(.profile == "plain") | .runs')" = 1
check "make demo works from the installed layout" bash -c "
	POLICYD_SOCKET= bash '$POLICYD_SOURCE_DIR/scripts/demo.sh' --installed >'$T/demo.out' 2>&1 &&
	grep -q 'denied:  unshare -U true' '$T/demo.out' && grep -q 'hello from oci-policyd' '$T/demo.out'"
pd_stop
check "purging the package from the host" dpkg --purge oci-policyd
check "leaves no hooks in Podman's default directory" test ! -e /usr/share/containers/oci/hooks.d/99-policyd-precreate.json

finish
