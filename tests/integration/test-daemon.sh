#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The daemon itself: one instance per socket and state directory, clear refusals when the
# kernel or the database is not usable, hostile socket clients, read-only access for non-root,
# and policyctl's exit codes.
source "$(dirname "$0")/lib.sh"

FIX=$POLICYD_SOURCE_DIR/tests/fixtures/podman
RAW="python3 $POLICYD_SOURCE_DIR/tests/integration/rawclient.py"
setup_all
pd_start || exit 1
prun crun --annotation io.policyd.profile=keep "$IMAGE" true

# expect_refusal DESC NEEDLE CMD...: exits 1 promptly, one error line naming the problem.
expect_refusal() {
	local desc=$1 needle=$2 rc=0
	shift 2
	timeout 20 "$@" >"$T/out" 2>"$T/err" || rc=$?
	if [[ $rc -eq 1 ]] && grep -qF -- "$needle" "$T/err" &&
		[[ $(grep -c 'error' "$T/err") -eq 1 ]]; then
		pass "$desc"
	else
		fail "$desc (rc=$rc: $(head -c 400 "$T/err"))"
	fi
}

expect_refusal "a second policyd on the same socket and state refuses" "already" \
	"$BIN/policyd" --socket "$SOCK" --state-dir "$STATE"
expect_refusal "a second policyd on the same state directory refuses" \
	"already using state directory $STATE" \
	"$BIN/policyd" --socket "$T/other.sock" --state-dir "$STATE"
expect_refusal "a second policyd on the same socket refuses" "already listening on $SOCK" \
	"$BIN/policyd" --socket "$SOCK" --state-dir "$T/other-state"
check "the first one still answers" ctl list

# Hostile clients: each gets an error or is dropped; the daemon stays up and serves others.
check "garbage frame gets an error response" \
	bash -c "$RAW '$SOCK' garbage | grep -q '^error: bad request'"
check "oversized frame header gets an error" \
	bash -c "$RAW '$SOCK' oversize | grep -q 'frame length'"
check "non-JSON body gets an error naming it" \
	bash -c "$RAW '$SOCK' notjson | grep -q 'not valid JSON'"
check "another protocol version is refused by number" \
	bash -c "$RAW '$SOCK' badver | grep -q 'version 99 not supported'"
$RAW "$SOCK" half >"$T/half.out" &
HALF=$!
sleep 0.2
start=$(date +%s%N)
check "a half-written request does not block other clients" ctl list
ms=$((($(date +%s%N) - start) / 1000000))
check "  (answered in ${ms} ms while the slow client waits)" test "$ms" -lt 2000
wait "$HALF"
check "the half-written request is dropped at its deadline" grep -qx closed "$T/half.out"
check "the daemon is still up" kill -0 "$PD_PID"
check "what was stored is still there" test "$(jq_profile keep .runs)" = 1

# Non-root clients may read, not mutate. (mktemp made our directory private; open the path.)
chmod 755 "$T" "$(dirname "$SOCK")"
check "non-root: policyctl list works" \
	setpriv --reuid=65534 --regid=65534 --clear-groups "$BIN/policyctl" --socket "$SOCK" list
rc=0
setpriv --reuid=65534 --regid=65534 --clear-groups env POLICYD_SOCKET="$SOCK" \
	"$BIN/policyd-prestart-hook" createRuntime <"$FIX/podman-crun-createRuntime-stdin.json" \
	2>"$T/err" || rc=$?
check "non-root: registering a container is refused" \
	bash -c "[[ $rc -eq 1 ]] && grep -q 'permission denied' '$T/err'"

# Non-root clients that open many connections and send nothing cannot crowd out the hooks.
# Debian's python3: the one on root's PATH may live where nobody cannot reach it.
setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 -c '
import socket, sys, time
conns = []
for i in range(60):
    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); conns.append(s)
print(len(conns), "connected", flush=True)
time.sleep(3)
' "$SOCK" >"$T/hogs.out" 2>&1 &
HOGS=$!
sleep 0.5
start=$(date +%s%N)
POLICYD_SOCKET=$SOCK "$BIN/policyd-prestart-hook" precreate \
	<"$FIX/podman-runc-precreate-stdin.json" >"$T/hog-cfg.json" 2>"$T/hog.err"
ms=$((($(date +%s%N) - start) / 1000000))
check "60 idle non-root connections: a hook is still served (${ms} ms)" \
	bash -c "[[ -s '$T/hog-cfg.json' ]] && ! grep -q warning '$T/hog.err'"
check "  the idle clients were connected" grep -q "connected" "$T/hogs.out"
check "  and policyd says it dropped the excess" grep -q "too many connections from non-root" "$T/policyd.log"
wait "$HOGS" 2>/dev/null

# policyctl's contract: exit codes and messages.
rc=0
ctl show no-such-profile 2>"$T/err" || rc=$?
check "show of an unknown profile exits 1" test "$rc" -eq 1
check "  and names it" grep -q "no profile named 'no-such-profile'" "$T/err"
rc=0
ctl frobnicate 2>/dev/null || rc=$?
check "an unknown verb exits 2" test "$rc" -eq 2
rc=0
ctl show 2>/dev/null || rc=$?
check "a missing argument exits 2" test "$rc" -eq 2
check "policyctl --help exits 0" ctl --help
check "list --help exits 0" ctl list --help
check "show --help exits 0" ctl show --help

# Restart on the same state: nothing lost. SIGTERM is a clean exit that removes the socket.
pd_stop
check "SIGTERM removes the socket" test ! -e "$SOCK"
rc=0
ctl list 2>"$T/err" || rc=$?
check "policyctl without a daemon exits 1 and says why" \
	bash -c "[[ $rc -eq 1 ]] && grep -q 'cannot connect' '$T/err'"
pd_start || exit 1
check "runs survive a restart" test "$(jq_profile keep .runs)" = 1
kill -9 "$PD_PID"
wait "$PD_PID" 2>/dev/null
PD_PID=
check "after kill -9 the socket file is stale" test -S "$SOCK"
pd_start || exit 1
check "a new daemon replaces the stale socket" test "$(jq_profile keep .runs)" = 1
pd_stop

# The kernel or the privilege is missing: one clear line, exit 1.
POLICYD_BTF_PATH=/nonexistent/vmlinux expect_refusal "no kernel BTF is named" \
	"kernel BTF not found at /nonexistent/vmlinux" \
	env POLICYD_BTF_PATH=/nonexistent/vmlinux "$BIN/policyd" --socket "$SOCK" --state-dir "$STATE"
expect_refusal "no privilege to load BPF is named" "Operation not permitted" \
	setpriv --inh-caps=-all --bounding-set=-all "$BIN/policyd" --socket "$SOCK" --state-dir "$STATE"
check "  and says what it needs" grep -q "CAP_BPF" "$T/err"
check "--no-tracer starts without BPF" bash -c "
	setpriv --inh-caps=-all --bounding-set=-all '$BIN/policyd' --no-tracer --socket '$SOCK' \
		--state-dir '$STATE' 2>'$T/notracer.log' & p=\$!
	for i in \$(seq 50); do '$BIN/policyctl' --socket '$SOCK' list >/dev/null 2>&1 && break; sleep 0.1; done
	'$BIN/policyctl' --socket '$SOCK' list >/dev/null; r=\$?; kill \$p; wait \$p; exit \$r"

# A database that is not ours, or from a newer version: refused, never touched.
cp "$STATE/policyd.db" "$T/good.db"
head -c 8192 /dev/urandom >"$STATE/policyd.db"
rm -f "$STATE/policyd.db-wal" "$STATE/policyd.db-shm"
sum=$(sha256sum <"$STATE/policyd.db")
expect_refusal "a corrupt database is refused" "not a usable policyd database" \
	"$BIN/policyd" --socket "$SOCK" --state-dir "$STATE"
check "  and left untouched" test "$(sha256sum <"$STATE/policyd.db")" = "$sum"
cp "$T/good.db" "$STATE/policyd.db"
sqlite3 "$STATE/policyd.db" "PRAGMA user_version = 42"
expect_refusal "a database from a newer policyd is refused" "schema version 42" \
	"$BIN/policyd" --socket "$SOCK" --state-dir "$STATE"
expect_refusal "a missing --config file is named" "policyd-missing.conf" \
	"$BIN/policyd" --config /nonexistent/policyd-missing.conf --socket "$SOCK" --state-dir "$STATE"

finish
