#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make demo`: a private policyd and a real busybox web workload under Podman, run through the
# hooks of the build tree with runc and with crun, then what policyctl shows about it.
# Touches nothing of the host's own Podman: images and containers live in a private store.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
if [[ ${1:-} == --installed ]]; then
	# The package's layout: its binaries, Podman's default hooks directory, the default socket
	# and state (the service's, if it runs).
	INSTALLED=1
	BIN=/usr/bin
	DAEMON=/usr/sbin/policyd
	HOOKS_ARGS=()
	SOCK=/run/policyd/policyd.sock
	STATE=/var/lib/policyd
	[[ -x $DAEMON && -f /usr/share/containers/oci/hooks.d/99-policyd-precreate.json ]] || {
		echo "demo: the oci-policyd package is not installed (make deb; apt install ./build/deb/*.deb)" >&2
		exit 1
	}
else
	INSTALLED=0
	BUILD=$(cd "${1:-build}" && pwd)
	BIN=$BUILD/bin
	DAEMON=$BIN/policyd
	HOOKS_ARGS=(--hooks-dir "$BUILD/hooks.d")
	# The socket and state the build tree's hooks.d point at (CMake: POLICYD_BUILD_SOCKET).
	SOCK=$(jq -r '.hook.env[] | select(startswith("POLICYD_SOCKET=")) | sub("POLICYD_SOCKET="; "")' \
		"$BUILD/hooks.d/99-policyd-precreate.json")
	STATE=$(jq -r '.hook.env[] | select(startswith("POLICYD_STATE_DIR=")) | sub("POLICYD_STATE_DIR="; "")' \
		"$BUILD/hooks.d/99-policyd-precreate.json")
fi
PROFILE=demo-web
IMAGE=localhost/policyd-demo-busybox

if [[ $(id -u) -ne 0 ]]; then
	echo "demo: run as root (Podman with runc/crun and BPF need it)" >&2
	exit 1
fi
# shellcheck source=podman-env.sh
source "$SRC/scripts/podman-env.sh"
DIR=$(mktemp -d /tmp/pdd.XXXXXX) # short: see podman-env.sh
PD_PID=
cleanup() {
	if [[ -n $PD_PID ]]; then
		kill "$PD_PID" 2>/dev/null
		wait "$PD_PID" 2>/dev/null || true
	fi
	podman_env_teardown
	rm -rf "$DIR"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() {
	printf '$ %s\n' "$*"
	"$@"
}
ctl() { "$BIN/policyctl" --socket "$SOCK" "$@"; }

step "A private Podman (store under $DIR) and a busybox image built locally"
podman_env_setup "$DIR/p"
make_busybox_image "$IMAGE"
echo "image $IMAGE ready"

if [[ $INSTALLED == 1 ]] && ctl list >/dev/null 2>&1; then
	step "Using the policyd already running on $SOCK"
	PROFILE=demo-web-$$ # never disturb a profile of the host's
	: >"$DIR/policyd.log"
else
	step "Start policyd (socket $SOCK, state $STATE)"
	[[ $INSTALLED == 1 ]] || rm -rf "$STATE"
	"$DAEMON" --socket "$SOCK" --state-dir "$STATE" 2>"$DIR/policyd.log" &
	PD_PID=$!
	for _ in $(seq 100); do ctl list >/dev/null 2>&1 && break; sleep 0.05; done
	ctl list >/dev/null
	head -1 "$DIR/policyd.log"
fi

# The workload: makes a directory, writes and chowns a file, reads /etc/passwd, serves a page
# on loopback, fetches it, and reads its own status (so that the enforced run may show it).
WORKLOAD='mkdir -p /tmp/data && echo hello >/tmp/data/f && chown nobody /tmp/data/f &&
cat /etc/passwd >/dev/null && httpd -p 127.0.0.1:8080 -h /var/www &&
wget -q -O - http://127.0.0.1:8080/ && grep -c Cap /proc/self/status >/dev/null'

for rt in runc crun; do
	step "Learn: run the workload under $rt through the hooks"
	show podman "${HOOKS_ARGS[@]}" run --rm --network none --runtime "$rt" \
		--annotation io.policyd.profile=$PROFILE "$IMAGE" sh -c "$WORKLOAD"
done

step "What policyd recorded, and the candidate policy it compiled"
show "$BIN/policyctl" --socket "$SOCK" list
echo
show "$BIN/policyctl" --socket "$SOCK" show $PROFILE

step "Approve: the candidate becomes version 1 and the profile is enforced"
show "$BIN/policyctl" --socket "$SOCK" approve $PROFILE
show "$BIN/policyctl" --socket "$SOCK" list

# Things Podman's default confinement allows and this workload never did.
PROBES='for try in "unshare -U true" "chroot / true" "mknod /tmp/blk b 8 0" "ping -c1 -W1 127.0.0.1"; do
	if sh -c "$try" >/dev/null 2>&1; then echo "  allowed: $try"; else echo "  denied:  $try"; fi
done; grep -E "^(CapEff|Seccomp):" /proc/self/status'

step "Without oci-policyd: Podman's default confinement"
show podman run --rm --network none --runtime crun "$IMAGE" sh -c "$PROBES"

for rt in runc crun; do
	step "Enforced under $rt: the workload still works, the rest is denied"
	show podman "${HOOKS_ARGS[@]}" run --rm --network none --runtime "$rt" \
		--annotation io.policyd.profile=$PROFILE "$IMAGE" sh -c "$WORKLOAD; $PROBES"
done

step "The policy as OCI seccomp JSON, usable without the daemon (first lines)"
"$BIN/policyctl" --socket "$SOCK" export $PROFILE | head -12
echo "  ..."

step "The daemon's log of this demo"
sed 's/^/  /' "$DIR/policyd.log"
