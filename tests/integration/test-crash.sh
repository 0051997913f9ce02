#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Faults: policyd killed with SIGKILL while a container learns, then started again on the same
# state: the container is found again and traced on, what was stored is intact, the run closes
# when the container stops; a container that ended meanwhile is closed as lost. A full disk: the
# container still starts, nothing is corrupted, recording resumes once there is space.
source "$(dirname "$0")/lib.sh"

setup_all
pd_start || exit 1

# Learning, then the daemon dies mid-run.
podman --hooks-dir "$HOOKS" run -d --name pd-crash --network none --runtime crun \
	--annotation io.policyd.profile=crash "$IMAGE" \
	sh -c 'echo 1 >/tmp/before-crash; sleep 6; echo 2 >/tmp/after-restart; sleep 1' >/dev/null
podman --hooks-dir "$HOOKS" run -d --name pd-gone --network none --runtime crun \
	--annotation io.policyd.profile=gone "$IMAGE" sleep 2 >/dev/null
sleep 1
kill -9 "$PD_PID"
wait "$PD_PID" 2>/dev/null
PD_PID=
# pd-gone ends while no daemon runs (its poststop hook only warns).
podman wait pd-gone >/dev/null
check "the database is intact after SIGKILL" \
	test "$(sqlite3 "$STATE/policyd.db" 'PRAGMA integrity_check')" = ok
pd_start || exit 1
check "the restarted daemon finds the running container" \
	grep -q "container .* of profile 'crash' is still running: tracing it again" "$T/policyd.log"
podman wait pd-crash >/dev/null
podman rm pd-crash pd-gone >/dev/null 2>&1
ctl show crash --json >"$T/crash.json"
jcheck "what it did before the crash is there" '[.observed.files[].path] | index("/tmp/before-crash") != null' "$T/crash.json"
jcheck "what it did after the restart is recorded too" \
	'[.observed.files[].path] | index("/tmp/after-restart") != null' "$T/crash.json"
jcheck "the interrupted run closes normally when the container stops" \
	'.run_history[0].exit_state == "stopped"' "$T/crash.json"
jcheck "a container that ended while the daemon was down is closed as lost" \
	'.run_history[0].exit_state == "lost"' <(ctl show gone --json)
check "the database is intact" test "$(sqlite3 "$STATE/policyd.db" 'PRAGMA integrity_check')" = ok
pd_stop

# A full disk: a small tmpfs holds the state.
SMALL=$T/small
mkdir -p "$SMALL" && mount -t tmpfs -o size=3m tmpfs "$SMALL"
trap 'umount "$SMALL" 2>/dev/null; cleanup' EXIT
STATE=$SMALL/state
pd_start || exit 1
check "a run is recorded while there is space" prun crun --annotation io.policyd.profile=disk "$IMAGE" true
dd if=/dev/zero of="$SMALL/filler" bs=64k 2>/dev/null || true
check "disk full: a container still starts" prun crun --annotation io.policyd.profile=disk "$IMAGE" true
check "disk full: policyd says what it could not record" grep -q "No space left on device" "$T/policyd.log"
check "disk full: the daemon keeps answering" ctl list
rm -f "$SMALL/filler"
check "space back: runs are recorded again" prun crun --annotation io.policyd.profile=disk "$IMAGE" true
runs=$(jq_profile disk .runs)
check "space back: the run after the full disk is there ($runs runs)" test "$runs" -ge 2
pd_stop
check "the database on the small disk is intact" \
	test "$(sqlite3 "$STATE/policyd.db" 'PRAGMA integrity_check')" = ok

finish
