#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Enforcement, end to end under runc and crun: learn a web workload, approve, and check from
# inside the container that what Podman's default confinement allows is now denied while the
# workload still works. Then complain mode, a daemon that is down, the never-allow list, diff,
# rollback, history and export.
source "$(dirname "$0")/lib.sh"

setup_all
gcc -O2 -static -o "$T/probe" "$POLICYD_SOURCE_DIR/tests/integration/workloads/probe.c"
WIMG=localhost/policyd-test-probe
make_busybox_image "$WIMG" "$T/probe"
pd_start || exit 1

# The workload reads its own status while learning, so that the enforced run may report it.
WEB='httpd -p 127.0.0.1:8080 -h /var/www && wget -q -O - http://127.0.0.1:8080/ && /bin/probe noop &&
grep -E "^(CapEff|Seccomp):" /proc/self/status >/dev/null'
PROBES=(unshare-user "chown /var/www/index.html" ping "mknod-block /tmp/blk" "chroot /tmp" keyctl)
# probe_all RUNTIME HOOKS-DIR ANNOTATION: the page, then one line per probe, then status lines.
probe_all() {
	local script="$WEB"
	local p
	for p in "${PROBES[@]}"; do script+="; /bin/probe $p"; done
	script+='; grep -E "^(CapEff|Seccomp):" /proc/self/status'
	podman --hooks-dir "$2" run --rm --network none --runtime "$1" ${3:+--annotation "$3"} "$WIMG" sh -c "$script" 2>/dev/null
}
mkdir -p "$T/nohooks"
# The probes must be able to fail: under Podman's default confinement each one succeeds.
probe_all crun "$T/nohooks" "" >"$T/default.out"
for p in "${PROBES[@]}"; do
	check "default confinement allows '${p%% *}'" grep -qx "${p%% *}: allowed" "$T/default.out"
done
DEFAULT_CAPEFF=$(awk '/^CapEff/ {print $2}' "$T/default.out")

for rt in runc crun; do
	P=web-$rt
	for i in 1 2; do
		check "$rt: learning run $i" prun $rt --annotation io.policyd.profile=$P "$WIMG" sh -c "$WEB"
	done
	jcheck "$rt: a candidate was compiled" '.candidate.version == 1 and .approved == null' \
		<(ctl show $P --json)
	check "$rt: diff shows what the candidate adds" bash -c "ctl() { '$BIN/policyctl' --socket '$SOCK' \"\$@\"; }; ctl diff $P | grep -q '^+ syscall      accept'"
	check "$rt: approve" ctl approve $P
	check "$rt: the profile is enforced" test "$(jq_profile $P '.mode + " " + (.approved_version|tostring)')" = "enforce 1"
	probe_all $rt "$HOOKS" io.policyd.profile=$P >"$T/enf-$rt.out"
	check "$rt: enforced: the workload still serves its page" grep -q "hello from oci-policyd" "$T/enf-$rt.out"
	for p in "${PROBES[@]}"; do
		check "$rt: enforced: '${p%% *}' is denied" grep -qx "${p%% *}: denied: EPERM" "$T/enf-$rt.out"
	done
	check "$rt: enforced: Seccomp: 2" grep -qP '^Seccomp:\t2$' "$T/enf-$rt.out"
	capeff=$(awk '/^CapEff/ {print $2}' "$T/enf-$rt.out")
	if [[ -n $capeff ]]; then
		check "$rt: enforced: CapEff reduced ($DEFAULT_CAPEFF -> $capeff)" \
			test "$((16#$capeff & ~16#$DEFAULT_CAPEFF))" -eq 0 -a "$capeff" != "$DEFAULT_CAPEFF"
	else
		fail "$rt: enforced: no CapEff line in the output"
	fi
done
P=web-crun

# Complain: nothing blocked; violations lists what the probes did beyond the policy.
check "mode complain" ctl mode $P complain
probe_all crun "$HOOKS" io.policyd.profile=$P >"$T/complain.out"
for p in "${PROBES[@]}"; do
	check "complain: '${p%% *}' is not blocked" grep -qx "${p%% *}: allowed" "$T/complain.out"
done
ctl violations $P --json >"$T/violations.json"
for sc in unshare chown mknodat chroot; do
	jcheck "complain: violations list $sc" ".syscalls | index(\"$sc\") != null" "$T/violations.json"
done
jcheck "complain: violations list CAP_CHOWN" '.capabilities | index("CAP_CHOWN") != null' "$T/violations.json"
check "back to enforce" ctl mode $P enforce

# policyd down: the approved profile is enforced from its artifact; an unknown one starts.
check "an artifact exists for the enforced profile" test -s "$STATE/artifacts/$P.json"
pd_stop
probe_all crun "$HOOKS" io.policyd.profile=$P >"$T/offline.out"
check "daemon down: the workload still serves" grep -q "hello from oci-policyd" "$T/offline.out"
check "daemon down: the approved policy is still enforced" grep -qx "chroot: denied: EPERM" "$T/offline.out"
check "daemon down: capabilities still reduced" grep -qP "^CapEff:\t$capeff$" "$T/offline.out"
probe_all crun "$HOOKS" io.policyd.profile=never-seen >"$T/unknown.out"
check "daemon down: an unknown workload starts unconfined beyond the defaults" \
	grep -qx "chroot: allowed" "$T/unknown.out"
pd_start || exit 1

# A workload whose learning saw a never-allowed syscall (keyctl: Podman's default profile lets
# it through, so learning sees it): the candidate leaves it out and says why.
prun crun --annotation io.policyd.profile=nev "$WIMG" sh -c '/bin/probe keyctl; true' >/dev/null
ctl show nev --json >"$T/nev.json"
jcheck "never-allow: keyctl was seen" '.observed.syscalls | index("keyctl") != null' "$T/nev.json"
jcheck "never-allow: the candidate excludes keyctl" '.candidate.seccomp.syscalls | index("keyctl") == null' "$T/nev.json"
jcheck "never-allow: and says why" \
	'.candidate.excluded[] | select(.syscall == "keyctl") | .reason | test("never-allow")' "$T/nev.json"
check "never-allow: show says why, for people" bash -c "'$BIN/policyctl' --socket '$SOCK' show nev | grep -q 'keyctl .*never-allow'"

# New behaviour in a new learning window: candidate 2, a diff, approval, then rollback to 1.
check "mode learn" ctl mode $P learn
prun crun --annotation io.policyd.profile=$P "$WIMG" sh -c "$WEB; /bin/probe chroot /tmp" >/dev/null
ctl diff $P >"$T/diff.txt"
check "diff: + syscall chroot" grep -q '^+ syscall *chroot$' "$T/diff.txt"
check "diff: + capability CAP_SYS_CHROOT" grep -q '^+ capability *CAP_SYS_CHROOT$' "$T/diff.txt"
check "approve version 2" bash -c "'$BIN/policyctl' --socket '$SOCK' approve $P | grep -q 'version 2'"
probe_all crun "$HOOKS" io.policyd.profile=$P >"$T/v2.out"
check "version 2 allows chroot" grep -qx "chroot: allowed" "$T/v2.out"
check "rollback to version 1" ctl rollback $P 1
probe_all crun "$HOOKS" io.policyd.profile=$P >"$T/v1.out"
check "after rollback chroot is denied again" grep -qx "chroot: denied: EPERM" "$T/v1.out"
rc=0
ctl rollback $P 9 2>"$T/err" || rc=$?
check "rollback to a version that does not exist fails and says so" \
	bash -c "[[ $rc -eq 1 ]] && grep -q 'no version 9' '$T/err'"
ctl history $P --json >"$T/hist.json"
jcheck "history: approve, approve, rollback, each with uid 0" \
	'[.actions[] | select(.action != "mode") | .action] == ["approve", "approve", "rollback"] and
	 all(.actions[]; .uid == 0 and .at != null)' "$T/hist.json"
jcheck "history: version 1 approved, version 2 superseded" \
	'[.versions[] | .state] == ["approved", "superseded"]' "$T/hist.json"

# Export: the same seccomp policy without the daemon, through Podman's own option.
ctl export $P >"$T/seccomp.json"
check "export is OCI seccomp JSON" jq -e '.defaultAction == "SCMP_ACT_ERRNO" and (.syscalls | length > 0)' "$T/seccomp.json"
podman run --rm --network none --runtime crun --security-opt seccomp="$T/seccomp.json" "$WIMG" \
	sh -c "$WEB; /bin/probe unshare-user; /bin/probe chroot /tmp; grep Seccomp: /proc/self/status" \
	>"$T/export.out" 2>&1
check "export: podman accepts it and the workload serves" grep -q "hello from oci-policyd" "$T/export.out"
check "export: unshare denied by the exported filter" grep -qx "unshare-user: denied: EPERM" "$T/export.out"
check "export: chroot denied by the exported filter" grep -qx "chroot: denied: EPERM" "$T/export.out"

# Mode changes are validated.
rc=0
ctl mode $P sideways 2>/dev/null || rc=$?
check "an unknown mode is refused" test "$rc" -eq 1
rc=0
ctl approve never-seen 2>"$T/err" || rc=$?
check "approving an unknown profile names it" bash -c "[[ $rc -eq 1 ]] && grep -q \"no profile named 'never-seen'\" '$T/err'"

finish
