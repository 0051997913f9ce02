#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What enforcement buys and costs: syscalls and capabilities kept vs Podman's default; getppid() cost.
#
#   eval/bench/enforce.sh [BUILD_DIR]    (default: build/ under the repository root)
#   BENCH_REPEAT (default 7) interleaved rounds; BENCH_CALLS (default 5000000) getppid() calls each;
#   BENCH_RUNTIME crun (default) or runc.
# Workloads web, loop, shell are learned (two runs), approved and run enforced (output checked). A
# precreate hook of our own saves the config Podman hands the runtime: Podman's default seccomp
# profile and capabilities are counted from a real container. getppid-loop then runs in the enforced
# `loop` container and in a default one (no policyd hooks), never while a pd_* tracer is attached.
# Prints a table, writes BUILD_DIR/bench/enforce.json; everything is private and removed on exit.
set -euo pipefail

die() {
	echo "enforce.sh: $*" >&2
	exit 1
}

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$ROOT/build}
REPEAT=${BENCH_REPEAT:-7}
CALLS=${BENCH_CALLS:-5000000}
RUNTIME=${BENCH_RUNTIME:-crun}
IMAGE=localhost/pdbe-busybox
WORKLOADS=(web loop shell)

[[ $(id -u) -eq 0 ]] || die "needs root (real Podman, OCI hooks and BPF)"
[[ -x $BUILD/bin/policyd ]] || die "no $BUILD/bin/policyd: build first or pass the build directory"
BUILD=$(cd "$BUILD" && pwd)
compgen -G "$BUILD/hooks.d/*.json" >/dev/null || die "no hook files in $BUILD/hooks.d"
[[ $REPEAT =~ ^[1-9][0-9]*$ ]] || die "BENCH_REPEAT must be a positive integer, not '$REPEAT'"
[[ $CALLS =~ ^[1-9][0-9]*$ ]] || die "BENCH_CALLS must be a positive integer, not '$CALLS'"
[[ $RUNTIME == crun || $RUNTIME == runc ]] || die "BENCH_RUNTIME must be crun or runc, not '$RUNTIME'"
for tool in podman "$RUNTIME" gcc jq bpftool python3; do
	command -v "$tool" >/dev/null || die "$tool is not installed"
done

# shellcheck source-path=SCRIPTDIR/../.. source=scripts/podman-env.sh
source "$ROOT/scripts/podman-env.sh"

DIR=$(mktemp -d /tmp/pdbe.XXXXXX) # short: conmon's sockets live below it (podman-env.sh)
SOCK=$DIR/run/policyd.sock
HOOKS=$DIR/h # policyd's hooks + the config capture
CAPT=$DIR/c  # the config capture only: a default container
PD_PID=

cleanup() {
	# Our containers first (their poststop hooks need policyd); never before our private Podman exists.
	[[ -z $PODMAN_ENV_DIR ]] || podman rm -af -t 0 >/dev/null 2>&1 || true
	[[ -z $PD_PID ]] || { kill -TERM "$PD_PID" 2>/dev/null; wait "$PD_PID" 2>/dev/null; } || true
	podman_env_teardown || true
	rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$DIR/bin" "$DIR/run" "$DIR/state" "$DIR/cfg" "$DIR/res" "$HOOKS" "$CAPT"
gcc -O2 -static -o "$DIR/bin/getppid-loop" "$ROOT/eval/bench/getppid-loop.c"
gcc -O2 -static -o "$DIR/bin/probe" "$ROOT/tests/integration/workloads/probe.c"
podman_env_setup "$DIR/p"
make_busybox_image "$IMAGE" "$DIR/bin/getppid-loop" "$DIR/bin/probe"

for f in "$BUILD"/hooks.d/*.json; do
	jq --arg s "POLICYD_SOCKET=$SOCK" '.hook.env = [$s]' "$f" >"$HOOKS/$(basename "$f")"
done
# Saves its stdin (the final config) and prints it back unchanged; sorts after 99-policyd-*.json, so
# in $HOOKS it sees the config after policyd's precreate hook changed it. Hooks have no PATH.
jq -n --arg c "/bin/cat >$DIR/cfg/last.json && /bin/cat $DIR/cfg/last.json" \
	'{version: "1.0.0", hook: {path: "/bin/sh", args: ["sh", "-c", $c], timeout: 10},
	  when: {always: true}, stages: ["precreate"]}' | tee "$CAPT/zz-capture.json" >"$HOOKS/zz-capture.json"

ctl() { "$BUILD/bin/policyctl" --socket "$SOCK" "$@"; }
"$BUILD/bin/policyd" --socket "$SOCK" --state-dir "$DIR/state" >>"$DIR/policyd.log" 2>&1 &
PD_PID=$!
for _ in $(seq 200); do ctl list >/dev/null 2>&1 && break; sleep 0.05; done
ctl list >/dev/null 2>&1 || { cat "$DIR/policyd.log" >&2; die "policyd did not come up (log above)"; }

# prun HOOKS PROFILE CMD...: one container ("" = no profile annotation).
prun() {
	local hooks=$1 ann=()
	[[ -n $2 ]] && ann=(--annotation "io.policyd.profile=$2")
	shift 2
	podman --hooks-dir "$hooks" run --rm --network none --runtime "$RUNTIME" "${ann[@]}" "$IMAGE" "$@"
}
# workload NAME: run it under its profile with policyd's hooks; dies unless its output is right.
# Its stderr goes to res/NAME.err: a denied syscall the workload survives shows there.
workload() {
	local out want e=$DIR/res/$1.err
	case $1 in
	web) want='hello from oci-policyd'
		out=$(prun "$HOOKS" web sh -c 'httpd -p 127.0.0.1:8080 -h /var/www && wget -q -O - http://127.0.0.1:8080/' 2>"$e") ;;
	loop) want='ns_per_call=' out=$(prun "$HOOKS" loop /bin/getppid-loop 1000 2>"$e") ;;
	shell) want='ok' out=$(prun "$HOOKS" shell sh -c 'ls / >/dev/null; cat /etc/passwd >/dev/null; echo ok' 2>"$e") ;;
	esac || die "workload $1 failed (output: '${out:-}', stderr: $(head -3 "$e"))"
	[[ $out == *"$want"* ]] || die "workload $1 printed '$out', expected '$want'"
}
allow_names() { jq '[.syscalls // [] | .[] | select(.action == "SCMP_ACT_ALLOW") | .names[]] | unique | length'; }

echo "learning web, loop, shell (two runs each), approving, one enforced run each" >&2
for w in "${WORKLOADS[@]}"; do
	workload "$w"
	workload "$w"
	ctl approve "$w" >/dev/null
	workload "$w"
	cp "$DIR/cfg/last.json" "$DIR/cfg/$w.json"
	ctl show "$w" --json >"$DIR/cfg/$w.show.json"
	ctl export "$w" >"$DIR/cfg/$w.export.json"
	jq -n --arg w "$w" --slurpfile s "$DIR/cfg/$w.show.json" --slurpfile r "$DIR/cfg/$w.json" --rawfile err "$DIR/res/$w.err" \
		--argjson e "$(allow_names <"$DIR/cfg/$w.export.json")" --argjson rt "$(jq .linux.seccomp "$DIR/cfg/$w.json" | allow_names)" \
		'{workload: $w, syscalls: ($s[0].approved.seccomp.syscalls | length), syscalls_export_allow: $e,
		  syscall_names: $s[0].approved.seccomp.syscalls, capability_names: $s[0].approved.capabilities,
		  syscalls_runtime_allow: $rt, caps: ($s[0].approved.capabilities | length),
		  caps_runtime_bounding: ($r[0].process.capabilities.bounding // [] | length),
		  enforced_run_stderr: ($err | split("\n") | map(select(. != "")) | {lines: length, messages: (unique | .[:3])})}' >"$DIR/res/$w.json"
done
prun "$CAPT" "" true
cp "$DIR/cfg/last.json" "$DIR/cfg/default.json"
# Names Podman allows that are x86_64 syscalls at all (its list also names other architectures').
unistd=/usr/include/x86_64-linux-gnu/asm/unistd_64.h nr=null
[[ -r $unistd ]] && nr=$(grep -oP '^#define __NR_\K\w+' "$unistd" | jq -Rsc 'split("\n")[:-1]')
jq --argjson nr "$nr" '. as $cfg | [.linux.seccomp.syscalls // [] | .[] | select(.action == "SCMP_ACT_ALLOW")] as $allow
	| [$allow[].names[]] | unique | {syscalls_allow: length,
	  syscalls_allow_x86_64: (if $nr then . - (. - $nr) | length else null end),
	  syscalls_allow_with_arg_rules: ([$allow[] | select((.args // []) != []) | .names[]] | unique | length),
	  default_action: $cfg.linux.seccomp.defaultAction, caps: ($cfg.process.capabilities.bounding // [] | length)}' \
	"$DIR/cfg/default.json" >"$DIR/res/default.json"
# The enforced filter is really the narrower one: unshare(CLONE_NEWUSER) in each container. The
# probe gets a profile of its own, learned doing nothing (its Landlock rules let only the programs a
# profile learned run, so it cannot borrow loop's).
prun "$HOOKS" probe /bin/probe noop >/dev/null
prun "$HOOKS" probe /bin/probe noop >/dev/null
ctl approve probe >/dev/null
probe_enf=$(prun "$HOOKS" probe /bin/probe unshare-user || true)
probe_def=$(prun "$CAPT" "" /bin/probe unshare-user || true)
[[ $probe_enf == *denied* ]] || die "probe unshare-user in an enforced container: '$probe_enf'"

# pd_links: links to pd_* programs, anybody's (another policyd's learning container counts too).
pd_links() {
	local ids
	ids=$(bpftool prog show -j | jq -c '[.[] | select(.name | startswith("pd_")) | .id]')
	bpftool link list -j | jq --argjson ids "$ids" '[.[] | select(.prog_id as $i | $ids | index($i))] | length'
}
quiet() { # waits up to 2 minutes for no pd_* link to be left on the host
	for _ in $(seq 600); do (($(pd_links) == 0)) && return 0; sleep 0.2; done
	die "a pd_* tracer stayed attached for 2 minutes: some container is learning on this host"
}
ctl list --json | jq -e 'length == 4 and all(.[]; .mode == "enforce")' >/dev/null ||
	die "not every profile is enforced: $(ctl list --json | jq -c 'map({(.profile): .mode}) | add')"
# measure enf|def: one measurement with no tracer attached before or after it, appended to res/KIND.
measure() {
	local out try hooks=$CAPT prof="" ref=default
	[[ $1 == enf ]] && hooks=$HOOKS prof=loop ref=loop
	for try in 1 2 3; do
		quiet
		out=$(prun "$hooks" "$prof" /bin/getppid-loop "$CALLS") || die "measurement $1 failed"
		(($(pd_links) == 0)) && break
		((try < 3)) || die "a pd_* tracer attached during every try of measurement $1"
		echo "  a pd_* tracer attached during measurement $1: repeating it" >&2
	done
	[[ $(jq -cS .linux.seccomp "$DIR/cfg/last.json") == "$(jq -cS .linux.seccomp "$DIR/cfg/$ref.json")" ]] ||
		die "measurement $1 ran with a seccomp filter other than $ref's"
	[[ $out =~ ns_per_call=([0-9.]+) ]] || die "measurement $1: no ns_per_call in '$out'"
	echo "${BASH_REMATCH[1]}" >>"$DIR/res/$1"
}
echo "$REPEAT rounds of $CALLS getppid() calls, enforced vs default; load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for r in $(seq "$REPEAT"); do
	echo "round $r/$REPEAT" >&2
	order=(enf def)
	((r % 2)) || order=(def enf)
	for k in "${order[@]}"; do measure "$k"; done
done

mkdir -p "$BUILD/bench"
python3 - "$DIR/res" "$BUILD/bench/enforce.json" "$REPEAT" "$CALLS" "$RUNTIME" "$($RUNTIME --version | head -1)" \
	"$(nproc)" "$(uname -r)" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$probe_enf" "$probe_def" "${WORKLOADS[@]}" <<'PY'
import json, os, statistics, sys
res, out, repeat, calls, rt, rtver, ncpu, kernel, when, penf, pdef, *wls = sys.argv[1:]
load = lambda n: json.load(open(os.path.join(res, n + ".json")))
read = lambda n: [float(l) for l in open(os.path.join(res, n)) if l.strip()]
wl, dflt, enf, dfl = {w: load(w) for w in wls}, load("default"), read("enf"), read("def")
med = {k: statistics.median(xs) for k, xs in (("enf", enf), ("def", dfl))}
bench = {"enforced_loop": {"median_ns": round(med["enf"], 2), "runs_ns": enf},
         "podman_default": {"median_ns": round(med["def"], 2), "runs_ns": dfl},
         "ratio_enforced_over_default": round(med["enf"] / med["def"], 3),
         "ratio_per_round": [round(e / d, 3) for e, d in zip(enf, dfl)]}
doc = {"runtime": rt, "runtime_version": rtver, "nproc": int(ncpu), "kernel": kernel, "measured_at": when,
       "calls": int(calls), "repeat": int(repeat), "podman_default": dflt, "workloads": wl,
       "probe_unshare_user": {"enforced_loop": penf, "podman_default": pdef}, "getppid": bench}
with open(out, "w") as f:
    f.write(json.dumps(doc, indent=2) + "\n")
print("oci-policyd enforcement: attack surface and per-syscall cost vs Podman's default profile")
print(f"machine:  {ncpu} CPUs, kernel {kernel}\ndate:     {when}\nruntime:  {rt} ({rtver})")
print("\nsyscalls allowed: approved list / ALLOW names in export / ALLOW names handed to the runtime;"
      "\ncapabilities: approved / bounding set handed to the runtime")
n, c = dflt["syscalls_allow"], dflt["caps"]
print(f"{'':16}{'approved':>9}{'export':>8}{'runtime':>8}{'fewer':>8}{'caps':>6}{'runtime':>8}\n"
      f"{'podman default':16}{'-':>9}{'-':>8}{n:8}{'':>8}{'-':>6}{c:8}")
for w, v in wl.items():
    print(f"{w:16}{v['syscalls']:9}{v['syscalls_export_allow']:8}{v['syscalls_runtime_allow']:8}"
          f"{100 * (1 - v['syscalls'] / n):7.1f}%{v['caps']:6}{v['caps_runtime_bounding']:8}")
for w, e in ((w, v["enforced_run_stderr"]) for w, v in wl.items()):
    if e["lines"]:
        print(f"WARNING: {w}'s enforced run printed {e['lines']} stderr lines {e['messages']} (output was right)")
print(f"podman default: {n} syscall names allowed ({dflt['syscalls_allow_with_arg_rules']} of them by argument "
      f"rules; {dflt['syscalls_allow_x86_64']} are x86_64 syscalls), default action {dflt['default_action']}, "
      f"{c} bounding capabilities\nprobe unshare-user: enforced container '{penf}', default container '{pdef}'")
print(f"\ngetppid() via syscall(), {calls} calls, {repeat} interleaved rounds, ns per call\n"
      f"{'':34}{'median':>8}{'min':>8}{'max':>8}")
for k, xs in (("enforced loop container", enf), ("default container (podman profile)", dfl)):
    print(f"{k:34}{statistics.median(xs):8.2f}{min(xs):8.2f}{max(xs):8.2f}")
print(f"ratio enforced/default: {bench['ratio_enforced_over_default']:.3f} (target <= 1.00); "
      f"per round {bench['ratio_per_round']}\nno pd_* tracer link was attached before or after any measurement")
print(f"written: {out}")
PY
