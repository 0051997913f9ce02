#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# policyd as a system service: READY/STOPPING/WATCHDOG through sd_notify, socket activation
# (systemd-socket-activate, since systemd is not PID 1 here), the installed units verified.
source "$(dirname "$0")/lib.sh"

mkdir -p "$T/run"
# A notification socket of our own that records every datagram.
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1])
with open(sys.argv[2], "a") as log:
    while True:
        log.write(s.recv(4096).decode() + "\n---\n"); log.flush()
' "$T/notify.sock" "$T/notify.log" &
LISTENER=$!
for _ in $(seq 50); do [[ -S $T/notify.sock ]] && break; sleep 0.05; done

# Type=notify: READY=1 once it serves, WATCHDOG=1 pings, STOPPING=1 on SIGTERM.
NOTIFY_SOCKET=$T/notify.sock WATCHDOG_USEC=400000 bash -c \
	'export WATCHDOG_PID=$$; exec "$0" --socket "$1" --state-dir "$2"' \
	"$BIN/policyd" "$SOCK" "$STATE" >>"$T/policyd.log" 2>&1 &
PD_PID=$!
for _ in $(seq 100); do grep -q "READY=1" "$T/notify.log" 2>/dev/null && break; sleep 0.05; done
check "READY=1 is sent" grep -q "READY=1" "$T/notify.log"
check "  only once policyctl is answered" ctl list
sleep 1
check "WATCHDOG=1 pings while running" test "$(grep -c WATCHDOG=1 "$T/notify.log")" -ge 2
pd_stop
check "STOPPING=1 on SIGTERM" grep -q "STOPPING=1" "$T/notify.log"
kill "$LISTENER"
wait "$LISTENER" 2>/dev/null

# SIGTERM drains: a request already in flight still gets its answer, then the daemon exits.
pd_start || exit 1
python3 - "$SOCK" "$PD_PID" >"$T/drain.out" 2>&1 <<'PY'
import json, os, signal, socket, struct, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
body = json.dumps({"v": 1, "op": "list"}).encode()
s.sendall(struct.pack(">I", len(body)) + body[:5])    # half a request ...
time.sleep(0.2); os.kill(int(sys.argv[2]), signal.SIGTERM); time.sleep(0.2)
s.sendall(body[5:])                                   # ... finished after SIGTERM
data = s.recv(65536)
print("answered" if len(data) > 4 and json.loads(data[4:]).get("ok") else "dropped")
PY
check "SIGTERM: a request in flight is answered before exit" grep -qx answered "$T/drain.out"
wait "$PD_PID" 2>/dev/null
check "  and then the daemon exits" bash -c "! kill -0 $PD_PID 2>/dev/null"
PD_PID=

# Under systemd, logging goes to the journal with the profile and container as fields. No
# journald runs here: a socket of our own at its path reads the native protocol.
if [[ ! -e /run/systemd/journal/socket ]]; then
	made_dir=0
	[[ -d /run/systemd/journal ]] || { mkdir -p /run/systemd/journal && made_dir=1; }
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind("/run/systemd/journal/socket")
with open(sys.argv[1], "ab") as log:
    while True:
        log.write(s.recv(65536) + b"\n===\n"); log.flush()
' "$T/journal.log" &
	JOURNALD=$!
	for _ in $(seq 50); do [[ -S /run/systemd/journal/socket ]] && break; sleep 0.05; done
	: >"$T/stderr.log"
	JOURNAL_STREAM=$(stat -c '%d:%i' "$T/stderr.log") "$BIN/policyd" --socket "$SOCK" \
		--state-dir "$STATE" 2>>"$T/stderr.log" &
	PD_PID=$!
	for _ in $(seq 100); do ctl list >/dev/null 2>&1 && break; sleep 0.05; done
	jq '.annotations["io.policyd.profile"] = "journaled"' \
		"$POLICYD_SOURCE_DIR/tests/fixtures/podman/podman-crun-precreate-stdin.json" |
		POLICYD_SOCKET=$SOCK "$BIN/policyd-prestart-hook" precreate >/dev/null
	pd_stop
	kill "$JOURNALD"
	wait "$JOURNALD" 2>/dev/null
	rm -f /run/systemd/journal/socket
	[[ $made_dir -eq 1 ]] && rmdir /run/systemd/journal /run/systemd 2>/dev/null
	check "journal: messages carry PRIORITY and SYSLOG_IDENTIFIER" \
		grep -qa "SYSLOG_IDENTIFIER=policyd" "$T/journal.log"
	check "journal: the precreate message has POLICYD_PROFILE" grep -qa "POLICYD_PROFILE=journaled" "$T/journal.log"
	check "journal: and CONTAINER_ID" grep -qaE "CONTAINER_ID=[0-9a-f]{64}" "$T/journal.log"
	check "journal: nothing went to stderr instead" bash -c "! grep -q 'precreate' '$T/stderr.log'"
fi

# Socket activation: the daemon takes the socket it is given and leaves it in place.
systemd-socket-activate -l "$T/act.sock" "$BIN/policyd" --socket "$T/act.sock" \
	--state-dir "$T/act-state" >>"$T/activate.log" 2>&1 &
ACT=$!
for _ in $(seq 50); do [[ -S $T/act.sock ]] && break; sleep 0.05; done
check "policyctl list through the activated socket" "$BIN/policyctl" --socket "$T/act.sock" list
check "the daemon says it took systemd's socket" grep -q "using the socket passed by systemd" "$T/activate.log"
expect_busy=0
"$BIN/policyd" --socket "$T/act.sock" --state-dir "$T/other-state" 2>"$T/err" || expect_busy=$?
check "a second policyd does not bind over the activated socket" \
	bash -c "[[ $expect_busy -eq 1 ]] && grep -q 'already listening on' '$T/err'"
kill "$ACT"
wait "$ACT" 2>/dev/null

# The installed units pass systemd-analyze verify.
DESTDIR=$T/root cmake --install "$POLICYD_BUILD_DIR" --prefix /usr >/dev/null
for u in policyd.service policyd.socket; do
	check "installed $u exists" test -f "$T/root/lib/systemd/system/$u"
done
# The root needs what the units refer to outside the package: the base targets and kill.
cp -a /lib/systemd/system/*.target /lib/systemd/system/*.slice "$T/root/lib/systemd/system/"
mkdir -p "$T/root/bin" && cp /bin/kill "$T/root/bin/"
# Documentation= links are checked by looking the pages up on this host, where the package is
# not installed; the man pages get their own check below.
systemd-analyze verify --man=no --root="$T/root" /lib/systemd/system/policyd.socket \
	/lib/systemd/system/policyd.service >"$T/verify.log" 2>&1
rc=$?
check "systemd-analyze verify passes on the installed units" test "$rc" -eq 0
[[ $rc -eq 0 ]] || cat "$T/verify.log"
check "the hooks.d drop-ins are installed for Podman and CRI-O" \
	test -f "$T/root/usr/share/containers/oci/hooks.d/99-policyd-precreate.json"
check "the installed hooks point at the installed binaries" \
	grep -q '"/usr/libexec/policyd/policyd-prestart-hook"' "$T/root/usr/share/containers/oci/hooks.d/99-policyd-precreate.json"

finish
