# SPDX-License-Identifier: MIT
# Sourced by every integration test: a private policyd, a private Podman, assertions that count,
# and a cleanup that removes everything the test made. Tests print "N passed, N failed".
set -uo pipefail

: "${POLICYD_BUILD_DIR:?run through ctest (make check), which sets POLICYD_BUILD_DIR}"
: "${POLICYD_SOURCE_DIR:?run through ctest (make check), which sets POLICYD_SOURCE_DIR}"
BIN=$POLICYD_BUILD_DIR/bin
TEST_NAME=$(basename "$0" .sh)

if [[ $(id -u) -ne 0 ]]; then
	echo "SKIP $TEST_NAME: needs root (real Podman, runc, crun and BPF)"
	exit 77
fi

# shellcheck source=../../scripts/podman-env.sh
source "$POLICYD_SOURCE_DIR/scripts/podman-env.sh"

# Short on purpose: Podman's run root lives below it, and a Unix socket path there longer than
# 108 bytes makes every `podman run` wait out a 20 s conmon timeout.
T=$(mktemp -d /tmp/pdt.XXXXXX)
echo "$TEST_NAME" >"$T/test-name"
SOCK=$T/run/policyd.sock
STATE=$T/state
HOOKS=$T/hooks.d
PD_PID=
PASSED=0
FAILED=0
IMAGE=localhost/policyd-test-busybox

cleanup() {
	pd_stop
	podman_env_teardown
	rm -rf "$T"
}
trap cleanup EXIT

pass() {
	PASSED=$((PASSED + 1))
	echo "ok   $*"
}
fail() {
	FAILED=$((FAILED + 1))
	echo "FAIL $*"
}
# check DESCRIPTION COMMAND...: passes when the command succeeds.
check() {
	local desc=$1
	shift
	if "$@"; then pass "$desc"; else fail "$desc"; fi
}
# jcheck DESCRIPTION FILTER FILE: passes when the jq filter is true on the file.
jcheck() {
	if jq -e "$2" "$3" >/dev/null 2>&1; then pass "$1"; else fail "$1"; fi
}
finish() {
	echo "$PASSED passed, $FAILED failed"
	[[ $FAILED -eq 0 ]]
	exit $?
}

# The hooks of the build tree, pointed at this test's socket.
make_hooks_dir() {
	mkdir -p "$HOOKS"
	local f
	for f in "$POLICYD_BUILD_DIR"/hooks.d/*.json; do
		jq --arg s "POLICYD_SOCKET=$SOCK" --arg d "POLICYD_STATE_DIR=$STATE" \
			'.hook.env = [$s, $d]' "$f" >"$HOOKS/$(basename "$f")"
	done
}

# pd_start [ARGS...]: starts a private policyd and waits for its socket.
pd_start() {
	"$BIN/policyd" --socket "$SOCK" --state-dir "$STATE" "$@" >>"$T/policyd.log" 2>&1 &
	PD_PID=$!
	local i
	for i in $(seq 100); do
		[[ -S $SOCK ]] && "$BIN/policyctl" --socket "$SOCK" list >/dev/null 2>&1 && return 0
		kill -0 "$PD_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "policyd did not come up; its log:" >&2
	cat "$T/policyd.log" >&2
	return 1
}

pd_stop() {
	[[ -n $PD_PID ]] || return 0
	kill -TERM "$PD_PID" 2>/dev/null
	wait "$PD_PID" 2>/dev/null
	PD_PID=
}

ctl() {
	"$BIN/policyctl" --socket "$SOCK" "$@"
}

# prun RUNTIME [PODMAN RUN ARGS...]: a container through the hooks, no network.
prun() {
	local rt=$1
	shift
	podman --hooks-dir "$HOOKS" run --rm --network none --runtime "$rt" "$@"
}

# jq_profile NAME FILTER: a field of `policyctl list --json` for one profile.
jq_profile() {
	ctl list --json | jq -r --arg p "$1" ".[] | select(.profile == \$p) | $2"
}

setup_all() {
	podman_env_setup "$T/p"
	make_hooks_dir
	make_busybox_image "$IMAGE"
}
