#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What the BPF tracer costs per syscall: getppid() loops on the host and in containers, with policyd
# absent, idle (tracer detached) and with a container learning (tracer attached).
#
#   eval/bench/tracer.sh [BUILD_DIR]     (default: build/ under the repository root)
#   BENCH_REPEAT   rounds (default 7); each round measures every scenario once, the median is reported
#   BENCH_CALLS    getppid() calls per measurement (default 5000000)
# Each round: without policyd {a host, e0 container} in rotating order; then a private policyd and a
# learning container (bench-idle): {c host, d learning container, e1 unwatched container}, rotating;
# then the learner is removed, the tracer must detach, b (host, policyd idle); policyd stops.
# Prints a table and writes BUILD_DIR/bench/tracer.json. Everything is private and removed on exit.
set -euo pipefail

die() {
	echo "tracer.sh: $*" >&2
	exit 1
}

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$ROOT/build}
REPEAT=${BENCH_REPEAT:-7}
CALLS=${BENCH_CALLS:-5000000}
IMAGE=localhost/pdt-busybox
IMAGE2=localhost/pdt-getppid

[[ $(id -u) -eq 0 ]] || die "needs root (real Podman, OCI hooks and BPF)"
[[ -x $BUILD/bin/policyd ]] || die "no $BUILD/bin/policyd: build first or pass the build directory"
BUILD=$(cd "$BUILD" && pwd)
compgen -G "$BUILD/hooks.d/*.json" >/dev/null || die "no hook files in $BUILD/hooks.d"
[[ $REPEAT =~ ^[1-9][0-9]*$ ]] || die "BENCH_REPEAT must be a positive integer, not '$REPEAT'"
[[ $CALLS =~ ^[1-9][0-9]*$ ]] || die "BENCH_CALLS must be a positive integer, not '$CALLS'"
for tool in podman crun gcc jq bpftool python3; do
	command -v "$tool" >/dev/null || die "$tool is not installed"
done

# shellcheck source-path=SCRIPTDIR/../.. source=scripts/podman-env.sh
source "$ROOT/scripts/podman-env.sh"

DIR=$(mktemp -d /tmp/pdtb.XXXXXX) # short: conmon's sockets live below it (podman-env.sh)
SOCK=$DIR/run/policyd.sock
HOOKS=$DIR/hooks.d
EMPTY=$DIR/no-hooks.d
LOOP=$DIR/getppid-loop
PD_PID=
LEARNER=

stop_learner() {
	[[ -n $LEARNER ]] || return 0
	podman rm -f -t 0 "$LEARNER" >/dev/null 2>&1 || true
	LEARNER=
}
stop_policyd() {
	[[ -n $PD_PID ]] || return 0
	kill -TERM "$PD_PID" 2>/dev/null || true
	wait "$PD_PID" 2>/dev/null || true
	PD_PID=
}
cleanup() {
	stop_learner
	stop_policyd
	podman_env_teardown || true
	rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

gcc -O2 -static -o "$LOOP" "$ROOT/eval/bench/getppid-loop.c"

# Private Podman; the busybox image for the learner; a second one with the static loop added.
podman_env_setup "$DIR/p"
make_busybox_image "$IMAGE"
mkdir -p "$DIR/root2/bin" "$DIR/root2/"{etc,tmp,proc,sys,dev}
cp /bin/busybox "$LOOP" "$DIR/root2/bin/"
ln -s busybox "$DIR/root2/bin/sh"
printf 'root:x:0:0:root:/:/bin/sh\n' >"$DIR/root2/etc/passwd"
printf 'root:x:0:\n' >"$DIR/root2/etc/group"
tar -C "$DIR/root2" -c . | podman import -q - "$IMAGE2" >/dev/null
mkdir -p "$HOOKS" "$EMPTY" "$DIR/run" "$DIR/state" "$DIR/res"
for f in "$BUILD"/hooks.d/*.json; do
	jq --arg s "POLICYD_SOCKET=$SOCK" '.hook.env = [$s]' "$f" >"$HOOKS/$(basename "$f")"
done

ctl() { "$BUILD/bin/policyctl" --socket "$SOCK" "$@"; }
# Links of pd_* programs: "ours" = programs our policyd holds (prog_id in its fdinfo; bpftool 7.1
# shows no owner pids), "any" = whoever loaded them.
our_links() {
	local held='[]' ids
	[[ $1 == any ]] || held=$({ grep -hs '^prog_id:' /proc/"$PD_PID"/fdinfo/* || true; } | awk '{print $2}' | jq -sc .)
	ids=$(bpftool prog show -j | jq -c --arg who "$1" --argjson held "$held" '[.[]
		| select(.name | startswith("pd_")) | select($who == "any" or (.id as $i | $held | index($i))) | .id]')
	bpftool link list -j | jq --argjson ids "$ids" '[.[] | select(.prog_id as $i | $ids | index($i))] | length'
}
# wait_links WHO OP N: up to 5 s for our_links WHO to satisfy "OP N" (bash arithmetic).
wait_links() {
	local n
	for _ in $(seq 100); do
		n=$(our_links "$1")
		(("n $2 $3")) && return 0
		sleep 0.05
	done
	return 1
}

start_policyd() {
	"$BUILD/bin/policyd" --socket "$SOCK" --state-dir "$DIR/state" >>"$DIR/policyd.log" 2>&1 &
	PD_PID=$!
	for _ in $(seq 200); do
		ctl list >/dev/null 2>&1 && return 0
		kill -0 "$PD_PID" 2>/dev/null || break
		sleep 0.05
	done
	cat "$DIR/policyd.log" >&2
	die "policyd did not come up (log above)"
}

# measure SCENARIO: one measurement, appended to res/SCENARIO.
measure() {
	local out
	case $1 in
	a | b | c) out=$("$LOOP" "$CALLS") ;;
	d) out=$(podman --hooks-dir "$HOOKS" run --rm --network none --runtime crun \
		--annotation io.policyd.profile=bench-loop "$IMAGE2" /bin/getppid-loop "$CALLS") ;;
	e0 | e1) out=$(podman --hooks-dir "$EMPTY" run --rm --network none --runtime crun \
		"$IMAGE2" /bin/getppid-loop "$CALLS") ;;
	esac || die "scenario $1: the run failed"
	[[ $out =~ ns_per_call=([0-9.]+) ]] || die "scenario $1: no ns_per_call in '$out'"
	echo "${BASH_REMATCH[1]}" >>"$DIR/res/$1"
}
# rotate ROUND SCENARIO...: each scenario once, starting at index ROUND mod count.
rotate() {
	local r=$1 k
	shift
	for ((k = 0; k < $#; k++)); do
		measure "${@:1+(k + r) % $#:1}"
	done
}

echo "$REPEAT rounds of $CALLS getppid() calls per scenario; load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for r in $(seq "$REPEAT"); do
	echo "round $r/$REPEAT" >&2
	n=$(our_links any)
	((n == 0)) || die "$n links of pd_* programs exist without our policyd: another policyd is tracing"
	rotate "$r" a e0

	start_policyd
	LEARNER=$(podman --hooks-dir "$HOOKS" run -d --network none --runtime crun \
		--annotation io.policyd.profile=bench-idle "$IMAGE" sleep 600)
	wait_links ours '>' 0 || die "a container learns but none of our programs is attached"
	our_links ours >>"$DIR/res/links-learning"
	rotate "$r" c d e1

	stop_learner
	wait_links ours '==' 0 || die "no container learns but our programs are still attached 5 s later"
	bpftool link list -j | jq length >>"$DIR/res/links-idle"
	measure b
	stop_policyd
done

# The hooks must have reached policyd for every learning run and for no unwatched one.
start_policyd
runs=$(ctl list --json | jq -c 'map({(.profile): .runs}) | add')
stop_policyd
[[ $runs == "$(jq -nc --argjson n "$REPEAT" '{"bench-idle": $n, "bench-loop": $n}')" ]] ||
	die "policyd recorded runs $runs, expected $REPEAT of bench-idle and bench-loop and nothing else"

mkdir -p "$BUILD/bench"
python3 - "$DIR/res" "$BUILD/bench/tracer.json" "$REPEAT" "$CALLS" "$(nproc)" "$(uname -r)" \
	"$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$runs" <<'PY'
import json, os, statistics, sys
res, out, repeat, calls, ncpu, kernel, when, runs = sys.argv[1:]
read = lambda n: [float(l) for l in open(os.path.join(res, n)) if l.strip()]
names = {"a": "host, no policyd", "b": "host, policyd idle (tracer detached)",
         "c": "host, one container learning", "d": "in the learning container",
         "e0": "in an unwatched container, no policyd", "e1": "in an unwatched container, tracer attached"}
sc = {k: {"scenario": v, "median_ns": round(statistics.median(read(k)), 2), "runs_ns": read(k)}
      for k, v in names.items()}
base = {"b": "a", "c": "a", "d": "e0", "e1": "e0", "e0": "a"}
for k, b in base.items():
    sc[k]["baseline"] = b
    sc[k]["ratio"] = round(sc[k]["median_ns"] / sc[b]["median_ns"], 3)
idle, learning = [int(x) for x in read("links-idle")], [int(x) for x in read("links-learning")]
doc = {"calls": int(calls), "repeat": int(repeat), "nproc": int(ncpu), "kernel": kernel,
       "measured_at": when, "scenarios": sc, "links_total_when_idle": idle,
       "our_links_when_learning": learning, "tracer_detached_when_idle": True,
       "policyd_runs": json.loads(runs)}
with open(out, "w") as f:
    json.dump(doc, f, indent=2)
    f.write("\n")
print("oci-policyd tracer cost: getppid() via syscall(), ns per call, median of", repeat, "rounds")
print(f"machine:  {ncpu} CPUs, kernel {kernel}\ndate:     {when}\ncalls:    {calls} per measurement")
print(f"{'':4}{'scenario':44}{'median':>8}{'min':>8}{'max':>8}  ratio")
for k, v in names.items():
    xs, s = read(k), sc[k]
    r = f"{s['ratio']:.3f} vs {s['baseline']}" if "ratio" in s else "(baseline)"
    print(f"{k:4}{v:44}{s['median_ns']:8.2f}{min(xs):8.2f}{max(xs):8.2f}  {r}")
print("target: b/a = 1.00 (an idle policyd must cost nothing)")
print(f"tracer detached when idle: yes (no link to our programs; total links on host: {sorted(set(idle))})")
print(f"our links while learning: {sorted(set(learning))}; policyd recorded runs: {runs}")
print(f"written: {out}")
PY
