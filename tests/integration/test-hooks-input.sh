#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Hooks under bad input and a missing or hung daemon: one clear line naming what was wrong,
# never a hang, and a container that still starts when policyd is away.
source "$(dirname "$0")/lib.sh"

FIX=$POLICYD_SOURCE_DIR/tests/fixtures/podman
PRE=$BIN/policyd-prestart-hook
POST=$BIN/policyd-poststop-hook
setup_all
pd_start || exit 1

# hook_fails DESC NEEDLE STAGE-ARGS... < input: exit 1, exactly one stderr line containing NEEDLE.
hook_fails() {
	local desc=$1 needle=$2
	shift 2
	local rc=0
	POLICYD_SOCKET=$SOCK timeout 10 "$@" >"$T/out" 2>"$T/err" || rc=$?
	if [[ $rc -eq 1 && $(wc -l <"$T/err") -eq 1 ]] && grep -qF -- "$needle" "$T/err"; then
		pass "$desc"
	else
		fail "$desc (rc=$rc, stderr: $(head -c 300 "$T/err"))"
	fi
}

hook_fails "precreate: not JSON" "not valid JSON" "$PRE" precreate <<<"this is not json"
hook_fails "precreate: truncated JSON" "truncated" "$PRE" precreate \
	< <(head -c 2000 "$FIX/podman-runc-precreate-stdin.json")
hook_fails "precreate: empty input" "empty" "$PRE" precreate </dev/null
head -c $((5 * 1024 * 1024)) /dev/zero | tr '\0' ' ' >"$T/big"
hook_fails "precreate: oversized input" "exceeds the limit" "$PRE" precreate <"$T/big"
jq 'del(.annotations)' "$FIX/podman-crun-precreate-stdin.json" >"$T/noann.json"
hook_fails "precreate: missing annotations" "'annotations'" "$PRE" precreate <"$T/noann.json"
jq 'del(.process.args)' "$FIX/podman-crun-precreate-stdin.json" >"$T/noargs.json"
hook_fails "precreate: missing process.args" "process.args" "$PRE" precreate <"$T/noargs.json"
jq 'del(.pid)' "$FIX/podman-crun-createRuntime-stdin.json" >"$T/nopid.json"
hook_fails "createRuntime: missing pid" "missing field 'pid'" "$PRE" createRuntime <"$T/nopid.json"
jq 'del(.annotations)' "$FIX/podman-crun-createRuntime-stdin.json" >"$T/noann-state.json"
hook_fails "createRuntime: missing annotations" "'annotations'" "$PRE" createRuntime \
	<"$T/noann-state.json"
jq '.pid = "12"' "$FIX/podman-crun-createRuntime-stdin.json" >"$T/strpid.json"
hook_fails "createRuntime: pid of the wrong type" "'pid' is not an integer" "$PRE" createRuntime \
	<"$T/strpid.json"
hook_fails "poststop: not JSON" "not valid JSON" "$POST" <<<"}"
rc=0
"$PRE" poststart </dev/null 2>"$T/err" || rc=$?
check "unknown stage is a usage error naming the stage" \
	bash -c "[[ $rc -eq 2 ]] && grep -q \"unknown stage 'poststart'\" '$T/err'"
jq '.annotations["io.policyd.profile"] = "bad name!"' "$FIX/podman-crun-precreate-stdin.json" \
	>"$T/badprof.json"
hook_fails "precreate: invalid profile annotation is refused" "io.policyd.profile" \
	"$PRE" precreate <"$T/badprof.json"

# stdin that never ends: the hook gives up on its own.
rc=0
mkfifo "$T/never"
sleep 30 >"$T/never" &
WRITER=$!
POLICYD_SOCKET=$SOCK POLICYD_HOOK_TIMEOUT_MS=300 timeout 10 "$PRE" precreate \
	<"$T/never" >/dev/null 2>"$T/err" || rc=$?
kill "$WRITER" 2>/dev/null
wait "$WRITER" 2>/dev/null
check "stdin that never closes: gives up with a message" \
	bash -c "[[ $rc -eq 1 ]] && grep -q 'no complete input' '$T/err'"

# A learning profile's config comes back unchanged.
POLICYD_SOCKET=$SOCK "$PRE" precreate <"$FIX/podman-runc-precreate-stdin.json" >"$T/cfg.json"
check "learning: config returned unchanged" \
	bash -c "diff <(jq -S . '$FIX/podman-runc-precreate-stdin.json') <(jq -S . '$T/cfg.json')"

# Through Podman: a bad annotation stops the container with the reason.
rc=0
prun crun --annotation 'io.policyd.profile=bad name!' "$IMAGE" true 2>"$T/err" || rc=$?
check "podman: invalid profile annotation stops the container" test "$rc" -ne 0
# Podman drops a precreate hook's stderr, so the reason is in policyd's log.
check "podman: policyd's log says which annotation" \
	grep -q "refused precreate.*io.policyd.profile" "$T/policyd.log"
rc=0
prun crun --annotation 'io.policyd.mode=sometimes' "$IMAGE" true 2>"$T/err" || rc=$?
check "podman: invalid mode annotation stops the container" test "$rc" -ne 0

# policyd not running: one warning, exit 0, config unchanged, quickly.
pd_stop
warns_and_passes() {
	local desc=$1
	shift
	local rc=0 start end
	start=$(date +%s%N)
	POLICYD_SOCKET=$SOCK timeout 5 "$@" >"$T/out" 2>"$T/err" || rc=$?
	end=$(date +%s%N)
	if [[ $rc -eq 0 && $(wc -l <"$T/err") -eq 1 ]] && grep -q "warning" "$T/err"; then
		pass "$desc ($(((end - start) / 1000000)) ms)"
	else
		fail "$desc (rc=$rc, stderr: $(head -c 300 "$T/err"))"
	fi
}
warns_and_passes "daemon down: precreate warns and passes" \
	"$PRE" precreate <"$FIX/podman-runc-precreate-stdin.json"
check "daemon down: precreate output is the input, byte for byte" \
	cmp -s "$T/out" "$FIX/podman-runc-precreate-stdin.json"
warns_and_passes "daemon down: createRuntime warns and passes" \
	"$PRE" createRuntime <"$FIX/podman-runc-createRuntime-stdin.json"
warns_and_passes "daemon down: poststop warns and passes" \
	"$POST" <"$FIX/podman-runc-poststop-stdin.json"
for rt in runc crun; do
	# Captured, not piped into grep -q: a reader that leaves early stalls Podman's attach.
	out=$(podman --hooks-dir "$HOOKS" run --rm --network none --runtime $rt "$IMAGE" echo up 2>/dev/null)
	check "daemon down: a $rt container still starts" test "$out" = up
done

# A daemon that accepts and never answers: the hook's deadline ends the wait.
mkdir -p "$(dirname "$SOCK")"
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(8)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
' "$SOCK" &
HUNG_PID=$!
for _ in $(seq 50); do [[ -S $SOCK ]] && break; sleep 0.05; done
start=$(date +%s%N)
rc=0
POLICYD_SOCKET=$SOCK POLICYD_HOOK_TIMEOUT_MS=500 timeout 10 "$PRE" precreate \
	<"$FIX/podman-runc-precreate-stdin.json" >"$T/out" 2>"$T/err" || rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
check "hung daemon: precreate passes the config through (${ms} ms)" \
	bash -c "[[ $rc -eq 0 ]] && cmp -s '$T/out' '$FIX/podman-runc-precreate-stdin.json'"
check "hung daemon: the warning says it did not answer" grep -q "did not answer" "$T/err"
check "hung daemon: bounded by the hook's budget" test "$ms" -lt 3000
kill "$HUNG_PID" 2>/dev/null
wait "$HUNG_PID" 2>/dev/null
rm -f "$SOCK"

finish
