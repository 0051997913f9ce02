#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Learning: what a container really does, from its first instruction, under runc and crun.
# Syscalls, files with their access, execs, capabilities (without the silent and borrowed
# checks), network and devices; host activity and other containers never leak in; forks and
# threads are covered; the tracer is attached only while something learns; 20 at once.
source "$(dirname "$0")/lib.sh"

setup_all
gcc -O2 -static -pthread -o "$T/threads" "$POLICYD_SOURCE_DIR/tests/integration/workloads/threads.c"
make_busybox_image localhost/policyd-test-threads "$T/threads"
pd_start || exit 1

# our_links: how many BPF links run one of this test's policyd's programs: the prog ids its
# file descriptors hold (another policyd on the host has its own).
our_links() {
	local ids
	ids=$(grep -h '^prog_id:' /proc/"$PD_PID"/fdinfo/* 2>/dev/null | awk '{print $2}' | jq -sc .)
	bpftool link list -j | jq --argjson ids "${ids:-[]}" '[.[] | select(.prog_id as $p | $ids | index($p))] | length'
}
check "our daemon holds its programs (loaded, to be attached on demand)" \
	bash -c "grep -q '^prog_id:' /proc/$PD_PID/fdinfo/*"
check "no container learning: none of our programs is attached" test "$(our_links)" -eq 0

WEB='mkdir -p /tmp/data && echo hello >/tmp/data/f && chmod 600 /tmp/data/f &&
chown nobody /tmp/data/f && cat /etc/passwd >/dev/null &&
httpd -p 127.0.0.1:8080 -h /var/www && wget -q -O - http://127.0.0.1:8080/ >/dev/null && sleep 1'
MARKER=/tmp/policyd-host-marker-$$

for rt in runc crun; do
	# A host process hammers a marker file the whole time the container learns.
	(while :; do echo x >"$MARKER"; cat "$MARKER" >/dev/null; done) &
	HAMMER=$!
	check "$rt: web workload runs while learning" prun $rt --annotation io.policyd.profile=web-$rt "$IMAGE" sh -c "$WEB"
	kill "$HAMMER"
	wait "$HAMMER" 2>/dev/null
	rm -f "$MARKER"
	ctl show web-$rt --json >"$T/web-$rt.json"
	J=$T/web-$rt.json
	for sc in mkdir chmod chown bind connect listen; do
		jcheck "$rt: syscall $sc recorded" "[.observed.syscalls[]] | index(\"$sc\") != null" "$J"
	done
	jcheck "$rt: the runtime's set-up is labelled apart (pivot_root)" \
		'(.observed.syscalls_init | index("pivot_root") != null) and
		 (.observed.syscalls_workload | index("pivot_root") == null)' "$J"
	jcheck "$rt: the written file with write access" \
		'.observed.files[] | select(.path == "/tmp/data/f") | .access | test("write")' "$J"
	jcheck "$rt: /etc/passwd with read access" \
		'.observed.files[] | select(.path == "/etc/passwd") | .access | test("read")' "$J"
	jcheck "$rt: the exec of busybox, resolved" \
		'.observed.execs[] | select(.path == "/bin/busybox") | .requested | index("/bin/sh") != null' "$J"
	jcheck "$rt: CAP_CHOWN exercised" '.observed.capabilities | index("CAP_CHOWN") != null' "$J"
	jcheck "$rt: no CAP_SYS_ADMIN for the workload" \
		'.observed.capabilities | index("CAP_SYS_ADMIN") == null' "$J"
	jcheck "$rt: no CAP_DAC_OVERRIDE from overlayfs' borrowed credentials" \
		'.observed.capabilities | index("CAP_DAC_OVERRIDE") == null' "$J"
	jcheck "$rt: bind to port 8080 in network" \
		'[.observed.network[].call] | any(test("^bind inet stream 127.0.0.1:8080$"))' "$J"
	jcheck "$rt: connect to port 8080 in network" \
		'[.observed.network[].call] | any(test("^connect inet stream 127.0.0.1:8080$"))' "$J"
	jcheck "$rt: /dev/null as a device" '.observed.devices[] | select(.device == "c 1:3")' "$J"
	jcheck "$rt: observations carry counts and first/last seen" \
		'all(.observed_detail[]; .count >= 1 and .first_seen != null and .last_seen != null)' "$J"
	check "$rt: the host's marker file never appears" bash -c "! grep -q policyd-host-marker '$J'"
	jcheck "$rt: no ring-buffer drops" '.ringbuf_drops == 0' "$J"
done
check "a failed open shows its error" bash -c "
	podman --hooks-dir '$HOOKS' run --rm --network none --runtime crun \
		--annotation io.policyd.profile=failing '$IMAGE' sh -c 'cat /no/such/file' 2>/dev/null
	'$BIN/policyctl' --socket '$SOCK' show failing --json |
		jq -e '.observed.failed_files[] | select(.path == \"/no/such/file\" and .error == \"ENOENT\")' >/dev/null"

# Two containers of different profiles at the same time: nothing crosses over.
podman --hooks-dir "$HOOKS" run -d --name pd-a --network none --runtime crun \
	--annotation io.policyd.profile=only-a "$IMAGE" sh -c 'sleep 1; for i in 1 2 3; do echo a >/tmp/only-a; sleep 0.3; done' >/dev/null
podman --hooks-dir "$HOOKS" run -d --name pd-b --network none --runtime runc \
	--annotation io.policyd.profile=only-b "$IMAGE" sh -c 'sleep 1; for i in 1 2 3; do echo b >/tmp/only-b; sleep 0.3; done' >/dev/null
check "while containers learn, our programs are attached" test "$(our_links)" -gt 0
podman wait pd-a pd-b >/dev/null
podman rm pd-a pd-b >/dev/null
ctl show only-a --json >"$T/a.json"
ctl show only-b --json >"$T/b.json"
jcheck "concurrent: a saw its own file" '[.observed.files[].path] | index("/tmp/only-a") != null' "$T/a.json"
jcheck "concurrent: a did not see b's" '[.observed.files[].path] | index("/tmp/only-b") == null' "$T/a.json"
jcheck "concurrent: b saw its own file" '[.observed.files[].path] | index("/tmp/only-b") != null' "$T/b.json"
jcheck "concurrent: b did not see a's" '[.observed.files[].path] | index("/tmp/only-a") == null' "$T/b.json"
check "all stopped: none of our programs is attached" test "$(our_links)" -eq 0

# Threads, a child and a grandchild: all covered.
check "threaded workload runs" prun crun --annotation io.policyd.profile=threads \
	localhost/policyd-test-threads /bin/threads
ctl show threads --json >"$T/threads.json"
for f in /tmp/thread-0 /tmp/thread-1 /tmp/thread-2 /tmp/thread-3 /tmp/forked-child /tmp/grandchild; do
	jcheck "threads: $f seen" "[.observed.files[].path] | index(\"$f\") != null" "$T/threads.json"
done
jcheck "threads: clone recorded" '.observed.syscalls | (index("clone") != null or index("clone3") != null)' \
	"$T/threads.json"

# 20 containers at once, all learning. (Waiting on their pids: a bare `wait` would also wait
# for the daemon, which is a background job of this shell too.)
starters=()
for i in $(seq 20); do
	timeout 120 podman --hooks-dir "$HOOKS" run -d --rm --network none --runtime crun \
		--annotation io.policyd.profile=swarm "$IMAGE" sh -c "echo $i >/tmp/n; sleep 2" >/dev/null &
	starters+=($!)
done
wait "${starters[@]}"
for _ in $(seq 120); do
	[[ $(ctl show swarm --json | jq '[.run_history[] | select(.exit_state == "stopped")] | length') -eq 20 ]] && break
	sleep 0.5
done
ctl show swarm --json >"$T/swarm.json"
jcheck "20 concurrent containers: 20 runs recorded and closed" \
	'.runs == 20 and ([.run_history[] | select(.exit_state == "stopped")] | length) == 20' "$T/swarm.json"
jcheck "20 concurrent containers: each has its own mount namespace" \
	'[.run_history[].mntns_id] | unique | length == 20' "$T/swarm.json"
jcheck "20 concurrent containers: ring-buffer drops reported (and zero)" '.ringbuf_drops == 0' "$T/swarm.json"
check "after the swarm: none of our programs is attached" test "$(our_links)" -eq 0

finish
