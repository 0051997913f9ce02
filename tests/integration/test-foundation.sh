#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Foundation, end to end: a private policyd and real Podman containers under runc and crun
# through the build tree's hooks; runs recorded per profile with times and runtimes; profile
# identity by annotation and by image.
source "$(dirname "$0")/lib.sh"

setup_all
make_busybox_image localhost/policyd-test-other
pd_start || exit 1

# Two runs of one annotated profile, one per runtime.
check "runc container runs through the hooks" \
	prun runc --annotation io.policyd.profile=t1 "$IMAGE" sh -c 'echo hello >/dev/null'
check "crun container runs through the hooks" \
	prun crun --annotation io.policyd.profile=t1 "$IMAGE" sh -c 'cat /etc/passwd >/dev/null'

check "t1 has runs = 2" test "$(jq_profile t1 .runs)" = 2
check "t1 is learning" test "$(jq_profile t1 .mode)" = learn
check "list --json has the contract's keys" \
	bash -c "'$BIN/policyctl' --socket '$SOCK' list --json |
		jq -e 'all(.[]; has(\"profile\") and has(\"mode\") and has(\"runs\") and
			has(\"candidate_version\") and has(\"approved_version\"))' >/dev/null"

ctl show t1 --json >"$T/t1.json"
jcheck "show --json has the contract's keys" \
	'has("profile") and has("mode") and has("runs") and has("candidate") and
		has("approved") and (.observed | has("syscalls") and has("files") and
		has("execs") and has("capabilities") and has("network"))' "$T/t1.json"
jcheck "each run has a start and a stop time" \
	'[.run_history[] | select(.started != null and .stopped != null and
		.exit_state == "stopped")] | length == 2' "$T/t1.json"
jcheck "one run recorded under runc, one under crun" \
	'[.run_history[].runtime] | sort == ["crun", "runc"]' "$T/t1.json"
jcheck "each run has its mount namespace" \
	'all(.run_history[]; .mntns_id > 0 and .pid > 0)' "$T/t1.json"
jcheck "stop follows start" \
	'all(.run_history[]; .stopped >= .started)' "$T/t1.json"
jjcheck "the exec tracer saw the workload's shell" \
	'[.observed.execs[].name] | index("/bin/sh") != null' "$T/t1.json"
jcheck "the workload's command was the shell, not something else" \
	'[.observed.execs[].name] | index("/bin/cat") == null' "$T/t1.json"

# No annotation: the image decides. Same image twice -> one profile; another image -> another.
check "unannotated run 1" prun runc "$IMAGE" true
check "unannotated run 2" prun crun "$IMAGE" true
check "other image" prun crun localhost/policyd-test-other true
check "same image lands in one profile with 2 runs" test "$(jq_profile "$IMAGE:latest" .runs)" = 2
check "identified by image" test "$(jq_profile "$IMAGE:latest" .source)" = image
check "another image lands in another profile" \
	test "$(jq_profile localhost/policyd-test-other:latest .runs)" = 1
check "exactly three profiles" test "$(ctl list --json | jq length)" = 3

# The table for people names every profile.
ctl list >"$T/list.txt"
check "list table shows t1" grep -q '^t1 .*learn' "$T/list.txt"
check "show table shows both runtimes" bash -c "ctl() { '$BIN/policyctl' --socket '$SOCK' \"\$@\"; }; ctl show t1 | grep -q crun && ctl show t1 | grep -q runc"

# A container left running keeps an open run until it stops.
podman --hooks-dir "$HOOKS" run -d --name pd-long --network none --runtime crun \
	--annotation io.policyd.profile=t2 "$IMAGE" sleep 30 >/dev/null
check "a running container has an open run" \
	test "$(ctl show t2 --json | jq -r '.run_history[0].stopped')" = null
podman stop -t 0 pd-long >/dev/null 2>&1
podman rm -f pd-long >/dev/null 2>&1
check "stopping it closes the run" \
	test "$(ctl show t2 --json | jq -r '.run_history[0].exit_state')" = stopped

ctl list; finish
