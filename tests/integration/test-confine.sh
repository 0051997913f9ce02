#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# File, exec and network confinement: a web workload learned while it only served its docroot,
# approved, run enforced under runc and crun: it still serves; the Landlock entry shim makes a
# secret planted in the image unreadable, /etc unwritable and a binary it never ran
# unexecutable (EACCES), where Podman's defaults allow all three. Every generated AppArmor
# profile passes apparmor_parser; where the kernel has AppArmor (tests/vm/), it is enforced.
source "$(dirname "$0")/lib.sh"

setup_all
gcc -O2 -static -o "$T/probe" "$POLICYD_SOURCE_DIR/tests/integration/workloads/probe.c"
echo "top secret" >"$T/secret"
CIMG=localhost/policyd-test-confine
make_busybox_image "$CIMG" "$T/probe" "$T/probe=/usr/local/bin/other" "$T/secret=/etc/secret"
pd_start || exit 1

WEB='httpd -p 127.0.0.1:8080 -h /var/www && wget -q -O - http://127.0.0.1:8080/'
ESCAPES='cat /etc/secret; echo x >/etc/newfile; /usr/local/bin/other noop && echo "other ran"'

mkdir -p "$T/nohooks"
podman --hooks-dir "$T/nohooks" run --rm --network none --runtime crun "$CIMG" sh -c "$ESCAPES" \
	>"$T/default.out" 2>&1
check "default: the planted secret is readable" grep -qx "top secret" "$T/default.out"
check "default: /etc is writable" bash -c "! grep -q newfile '$T/default.out'"
check "default: the other binary runs" grep -qx "other ran" "$T/default.out"

for rt in runc crun; do
	P=docroot-$rt
	for i in 1 2; do
		prun $rt --annotation io.policyd.profile=$P "$CIMG" sh -c "$WEB" >/dev/null 2>&1
	done
	ctl show $P --json >"$T/$P.json"
	jcheck "$rt: the candidate's AppArmor profile passes apparmor_parser" \
		'.candidate.apparmor.validated == true' "$T/$P.json"
	jcheck "$rt: the candidate has a Landlock ruleset with the docroot" \
		'[.candidate.landlock.fs[].path] | index("/var/www/index.html") != null' "$T/$P.json"
	jcheck "$rt: and the port it serves on" '.candidate.landlock.bind | index(8080) != null' "$T/$P.json"
	jcheck "$rt: the secret is nowhere in the policy" '[.candidate.files[].path] | index("/etc/secret") == null' \
		"$T/$P.json"
	check "$rt: approve" ctl approve $P
	prun $rt --annotation io.policyd.profile=$P "$CIMG" sh -c "$WEB; $ESCAPES" >"$T/$P.out" 2>&1
	check "$rt: enforced: still serves its page" grep -q "hello from oci-policyd" "$T/$P.out"
	check "$rt: enforced: the secret cannot be read (EACCES)" \
		grep -q "can't open '/etc/secret': Permission denied" "$T/$P.out"
	check "$rt: enforced: /etc cannot be written (EACCES)" \
		grep -q "can't create /etc/newfile: Permission denied" "$T/$P.out"
	check "$rt: enforced: a binary it never ran cannot be executed (EACCES)" \
		grep -q "/usr/local/bin/other: Permission denied" "$T/$P.out"
	check "$rt: enforced: the shim exec'd the workload as pid 1" bash -c "
		podman --hooks-dir '$HOOKS' run --rm --network none --runtime $rt \
			--annotation io.policyd.profile=$P '$CIMG' sh -c '$WEB >/dev/null; echo pid=\$\$' 2>/dev/null | grep -qx pid=1"
	ctl show $P --json >"$T/$P.json"
	jcheck "$rt: show says Landlock is enforced" '.layers.landlock | test("enforced")' "$T/$P.json"
	jcheck "$rt: show says AppArmor is not applied on this kernel" \
		'.layers.apparmor | test("not enabled")' "$T/$P.json"
done

# Every compiled profile passes the parser (HOST-NOTES recipe), checked here independently.
for P in docroot-runc docroot-crun; do
	ctl export $P --format apparmor >"$T/$P.aa"
	rm -f "$T/$P.bin"
	apparmor_parser --config-file /dev/null -Q -K -M /usr/share/apparmor-features/features \
		-o "$T/$P.bin" "$T/$P.aa" 2>"$T/$P.aa.err"
	check "apparmor_parser accepts the exported profile of $P" test -s "$T/$P.bin"
done
# A candidate whose AppArmor profile the parser rejects can never be approved, and the parser's
# message with its line reaches policyctl. (An address family the parser has no name for.)
prun crun --annotation io.policyd.profile=badaa "$CIMG" sh -c '/bin/probe socket-family 45; true' >/dev/null
jcheck "a candidate with an invalid AppArmor profile is marked so" \
	'.candidate.apparmor.validated == false' <(ctl show badaa --json)
rc=0
ctl approve badaa 2>"$T/err" || rc=$?
check "approving it fails" test "$rc" -eq 1
check "  with the parser's message and line" grep -q "apparmor_parser.*line" "$T/err"

# What precreate hands the runtime for an enforced profile: the shim in front, no AppArmor
# profile named (runc and crun refuse to start a container naming one without AppArmor).
jq '.annotations["io.policyd.profile"] = "docroot-crun"' \
	"$POLICYD_SOURCE_DIR/tests/fixtures/podman/podman-crun-precreate-stdin.json" |
	POLICYD_SOCKET=$SOCK "$BIN/policyd-prestart-hook" precreate >"$T/enforced-config.json"
jcheck "precreate puts the shim in front of the workload" \
	'.process.args[0] == "/.policyd/landlock-shim" and .process.args[2] == "--" and .process.args[3] == "sh"' \
	"$T/enforced-config.json"
jcheck "precreate mounts the shim and the ruleset read-only" \
	'[.mounts[] | select(.destination | startswith("/.policyd/")) | .options | index("ro") != null] == [true, true]' \
	"$T/enforced-config.json"
jcheck "precreate names no AppArmor profile on this kernel" '.process.apparmorProfile == null' \
	"$T/enforced-config.json"


# Real AppArmor enforcement in a software-emulated VM (tests/vm/apparmor-vm.sh).
VM=$POLICYD_SOURCE_DIR/tests/vm/apparmor-vm.sh
if [[ -x $VM ]]; then
	# The VM's bundle has /allowed and /secret; learn a profile that reads /allowed only.
	echo "allowed" >"$T/allowed"
	make_busybox_image localhost/policyd-test-vm "$T/allowed=/allowed" "$T/secret=/secret"
	for i in 1 2; do
		prun crun --annotation io.policyd.profile=vm "localhost/policyd-test-vm" sh -c 'cat /allowed' >/dev/null
	done
	ctl approve vm >/dev/null
	ctl export vm --format apparmor >"$T/vm.aa"
	name=$(awk '/^profile /{print $2}' "$T/vm.aa")
	if timeout 900 "$VM" prepare >"$T/vm-prepare.log" 2>&1; then
		timeout 600 "$VM" run "$T/vm.aa" "$name" -- /bin/sh -c 'cat /allowed; cat /secret' >"$T/vm.out" 2>&1
		check "VM: AppArmor is enabled in the VM's kernel" grep -q "AA_ENABLED=Y" "$T/vm.out"
		check "VM: the generated profile loads" grep -q "AA_LOAD=ok" "$T/vm.out"
		check "VM: the learned path works under the profile" grep -qx "allowed-content" "$T/vm.out"
		check "VM: an unlearned path is denied" grep -q "can't open '/secret': Permission denied" "$T/vm.out"
		[[ $FAILED -eq 0 ]] || cat "$T/vm.out"
	else
		fail "VM: could not prepare the AppArmor VM ($(tail -1 "$T/vm-prepare.log"))"
	fi
fi

finish
