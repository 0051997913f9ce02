#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# policyd under load: concurrent containers through the hooks, hook latency, memory with many profiles, idle CPU.
#
#   eval/bench/load.sh [BUILD_DIR]       (default: build/ under the repository root)
#   BENCH_CONTAINERS  containers started at once (default 50): `podman run -d --rm --network none
#                     --runtime crun IMAGE sleep 3`, each with its own profile load-N
#   BENCH_PROFILES    profiles added afterwards for the memory figure (default 100): the real precreate
#                     hook fed a recorded config with profile p-N, no container needed
# Every hook stage runs under a wrapper that logs its wall time, so the latency is the hook's as the
# engine sees it (fork + exec of the hook, its request to policyd, its answer), under that load.
# Then: runs recorded by policyd (each started container must have one, closed after poststop);
# policyd's VmRSS/VmHWM with the profiles in its store; its CPU over 10 s with no container running.
# Prints a report and writes BUILD_DIR/bench/load.json; exits 1 if a container failed to start or a
# run is missing. Everything is private, under one temporary directory, and removed on exit.
set -euo pipefail

die() {
	echo "load.sh: $*" >&2
	exit 1
}

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$ROOT/build}
CONTAINERS=${BENCH_CONTAINERS:-50}
PROFILES=${BENCH_PROFILES:-100}
IMAGE=localhost/pdbl-busybox
FIXTURE=$ROOT/tests/fixtures/podman/podman-crun-precreate-stdin.json
POSTSTOP_FIXTURE=$ROOT/tests/fixtures/podman/podman-crun-poststop-stdin.json
IDLE_SECONDS=10
START_TIMEOUT=180 # per `podman run -d`
CLOSE_TIMEOUT=180 # for policyd to see every run closed once all runs returned

[[ $(id -u) -eq 0 ]] || die "needs root (real Podman, OCI hooks and BPF)"
[[ -x $BUILD/bin/policyd ]] || die "no $BUILD/bin/policyd: build first or pass the build directory"
BUILD=$(cd "$BUILD" && pwd)
compgen -G "$BUILD/hooks.d/*.json" >/dev/null || die "no hook files in $BUILD/hooks.d"
[[ $CONTAINERS =~ ^[1-9][0-9]*$ ]] || die "BENCH_CONTAINERS must be a positive integer, not '$CONTAINERS'"
[[ $PROFILES =~ ^[0-9]+$ ]] || die "BENCH_PROFILES must be a non-negative integer, not '$PROFILES'"
[[ -r $FIXTURE && -r $POSTSTOP_FIXTURE ]] || die "no fixtures in $ROOT/tests/fixtures/podman"
for tool in podman crun jq python3 timeout; do
	command -v "$tool" >/dev/null || die "$tool is not installed"
done

# shellcheck source-path=SCRIPTDIR/../.. source=scripts/podman-env.sh
source "$ROOT/scripts/podman-env.sh"

DIR=$(mktemp -d /tmp/pdbl.XXXXXX) # short: conmon's sockets live below it (podman-env.sh)
SOCK=$DIR/run/policyd.sock
STATE=$DIR/state
HOOKS=$DIR/hooks.d
WRAP=$DIR/wrap
LATLOG=$DIR/res/hook-latency.log
PD_PID=
RUN_PIDS=() # the `timeout podman run` processes we started, while they may still run

cleanup() {
	local p
	for p in "${RUN_PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null || true # timeout passes it on to its podman
	done
	for p in "${RUN_PIDS[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	# Our containers next (their poststop hooks need policyd); never before our private Podman exists.
	[[ -z $PODMAN_ENV_DIR ]] || podman rm -af -t 0 >/dev/null 2>&1 || true
	[[ -z $PD_PID ]] || { kill -TERM "$PD_PID" 2>/dev/null; wait "$PD_PID" 2>/dev/null; } || true
	podman_env_teardown || true
	rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$DIR/run" "$STATE" "$HOOKS" "$DIR/res" "$DIR/out"
podman_env_setup "$DIR/p"
make_busybox_image "$IMAGE"

# The wrapper: `wrap STAGE REAL [ARG...]` runs the real hook as its child with the same stdin, stdout
# and stderr, keeps its exit code and appends "STAGE NANOSECONDS" to the log (one short O_APPEND
# write per line, so concurrent hooks do not interleave). Hooks get no PATH: absolute paths only.
cat >"$WRAP" <<EOF
#!/bin/bash
stage=\$1
shift
t0=\$(/bin/date +%s%N)
"\$@"
rc=\$?
t1=\$(/bin/date +%s%N)
echo "\$stage \$((t1 - t0))" >>$LATLOG
exit \$rc
EOF
chmod 755 "$WRAP"
: >"$LATLOG"
for f in "$BUILD"/hooks.d/*.json; do
	jq --arg w "$WRAP" --arg s "POLICYD_SOCKET=$SOCK" --arg d "POLICYD_STATE_DIR=$STATE" \
		'.hook.args = ["wrap", .stages[0], .hook.path] + .hook.args[1:] | .hook.path = $w
		 | .hook.env = [$s, $d]' "$f" >"$HOOKS/$(basename "$f")"
done

ctl() { "$BUILD/bin/policyctl" --socket "$SOCK" "$@"; }
"$BUILD/bin/policyd" --socket "$SOCK" --state-dir "$STATE" >>"$DIR/policyd.log" 2>&1 &
PD_PID=$!
for _ in $(seq 200); do
	ctl list >/dev/null 2>&1 && break
	kill -0 "$PD_PID" 2>/dev/null || break
	sleep 0.05
done
ctl list >/dev/null 2>&1 || { cat "$DIR/policyd.log" >&2; die "policyd did not come up (log above)"; }

# memory: "VmRSS VmHWM" of policyd in KiB.
memory() {
	awk '$1 == "VmRSS:" { r = $2 } $1 == "VmHWM:" { h = $2 } END { print r, h }' /proc/"$PD_PID"/status
}
# cpu_ticks: utime + stime of policyd in clock ticks (fields 14 and 15; comm may hold spaces).
cpu_ticks() {
	local s f
	s=$(</proc/"$PD_PID"/stat)
	s=${s##*) }
	read -ra f <<<"$s"
	echo $((f[11] + f[12])) # fields 14, 15 counted from 3 (state)
}
CLK_TCK=$(getconf CLK_TCK)
read -r RSS_IDLE HWM_IDLE < <(memory)

# 1. All containers at once; only their pids are waited for (a bare wait would wait for policyd).
LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg) # other work on the host shows in every figure below
echo "machine: $(nproc) CPUs, kernel $(uname -r); load average $LOADAVG" >&2
echo "starting $CONTAINERS containers at once (crun, --network none, sleep 3)..." >&2
CPU_LOAD0=$(cpu_ticks)
t0=$(date +%s%N)
for i in $(seq "$CONTAINERS"); do
	timeout "$START_TIMEOUT" podman --hooks-dir "$HOOKS" run -d --rm --network none --runtime crun \
		--annotation io.policyd.profile="load-$i" "$IMAGE" sleep 3 >"$DIR/out/$i" 2>&1 &
	RUN_PIDS+=($!)
done
STARTED=0
FAILED=0
for i in "${!RUN_PIDS[@]}"; do
	rc=0
	wait "${RUN_PIDS[i]}" || rc=$?
	if ((rc == 0)); then
		STARTED=$((STARTED + 1))
	else
		FAILED=$((FAILED + 1))
		echo "load.sh: container load-$((i + 1)) did not start (exit $rc): $(tail -n 2 "$DIR/out/$((i + 1))")" >&2
	fi
done
t1=$(date +%s%N)
RUN_PIDS=()
WALL_MS=$(((t1 - t0) / 1000000))
echo "$STARTED started, $FAILED failed, in $WALL_MS ms; waiting for policyd to see every run closed..." >&2

# 2. Until every run of a load-N profile is closed (poststop, after `sleep 3` and Podman's cleanup),
# and none of our containers is left; then the runs as policyd recorded them.
runs_json() {
	local p
	for p in $(ctl list --json | jq -r '.[] | select(.profile | startswith("load-")) | .profile'); do
		ctl show "$p" --json | jq -c --arg p "$p" '.run_history[] | {profile: $p, started, stopped, exit_state}'
	done | jq -sc .
}
t2=$(date +%s%N)
deadline=$((SECONDS + CLOSE_TIMEOUT))
while :; do
	RUNS=$(runs_json)
	open=$(jq '[.[] | select(.stopped == null)] | length' <<<"$RUNS")
	total=$(jq length <<<"$RUNS")
	left=$(podman ps -aq | wc -l)
	((open == 0 && total >= STARTED && left == 0)) && break
	((SECONDS < deadline)) || {
		echo "load.sh: after ${CLOSE_TIMEOUT}s: $total runs, $open open, $left containers left" >&2
		break
	}
	sleep 0.5
done
CLOSE_MS=$((($(date +%s%N) - t2) / 1000000))
RECORDED=$(jq length <<<"$RUNS")
CLOSED=$(jq '[.[] | select(.stopped != null and .started != null and .exit_state == "stopped")] | length' <<<"$RUNS")
read -r RSS_LOAD HWM_LOAD < <(memory)
LOAD_TICKS=$(($(cpu_ticks) - CPU_LOAD0)) # policyd's own CPU for the containers, start to poststop

# 3. BENCH_PROFILES profiles through the real precreate hook, fed a recorded config (no container).
# The fixture's container id is the same every time: each precreate closes the previous run of it,
# and the real poststop hook closes the last one, so no run is left open.
echo "adding $PROFILES profiles through the precreate hook..." >&2
hook_env=(env -i "POLICYD_SOCKET=$SOCK" "POLICYD_STATE_DIR=$STATE")
: >"$DIR/res/direct-precreate.txt"
for i in $(seq "$PROFILES"); do
	jq -c --arg p "p-$i" '.annotations["io.policyd.profile"] = $p' "$FIXTURE" >"$DIR/res/cfg.json"
	a=$(date +%s%N)
	"${hook_env[@]}" "$BUILD/bin/policyd-prestart-hook" precreate <"$DIR/res/cfg.json" >"$DIR/res/out.json" ||
		die "the precreate hook failed for profile p-$i"
	b=$(date +%s%N)
	echo $((b - a)) >>"$DIR/res/direct-precreate.txt"
	jq -e .process >/dev/null <"$DIR/res/out.json" || die "the precreate hook printed no config for p-$i"
done
if ((PROFILES > 0)); then
	"${hook_env[@]}" "$BUILD/bin/policyd-poststop-hook" <"$POSTSTOP_FIXTURE" >/dev/null ||
		die "the poststop hook failed"
fi
NPROFILES=$(ctl list --json | jq length)
PPROFILES=$(ctl list --json | jq '[.[] | select(.profile | startswith("p-"))] | length')
((PPROFILES == PROFILES)) || die "policyd has $PPROFILES profiles p-N, expected $PROFILES"
read -r RSS_PROF HWM_PROF < <(memory)

# 4. Idle CPU: no container of ours (none of the runs is open), policyd left alone for 10 s.
[[ -z $(podman ps -aq) ]] || die "containers still exist before the idle measurement"
c0=$(cpu_ticks)
a=$(date +%s%N)
sleep "$IDLE_SECONDS"
c1=$(cpu_ticks)
b=$(date +%s%N)
IDLE_TICKS=$((c1 - c0))
IDLE_NS=$((b - a))

mkdir -p "$BUILD/bench"
figures=$(jq -n --argjson requested "$CONTAINERS" --argjson started "$STARTED" --argjson failed "$FAILED" \
	--argjson wall_ms "$WALL_MS" --argjson recorded "$RECORDED" --argjson closed "$CLOSED" \
	--argjson close_ms "$CLOSE_MS" --argjson profiles "$NPROFILES" \
	--argjson rss0 "$RSS_IDLE" --argjson hwm0 "$HWM_IDLE" --argjson rss1 "$RSS_LOAD" --argjson hwm1 "$HWM_LOAD" \
	--argjson rss2 "$RSS_PROF" --argjson hwm2 "$HWM_PROF" \
	--argjson ticks "$IDLE_TICKS" --argjson clk_tck "$CLK_TCK" --argjson idle_ns "$IDLE_NS" \
	--argjson load_ticks "$LOAD_TICKS" --arg loadavg "$LOADAVG" '$ARGS.named')
python3 - "$LATLOG" "$DIR/res/direct-precreate.txt" "$BUILD/bench/load.json" "$figures" "$(nproc)" \
	"$(uname -r)" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" <<'PY'
import json, math, sys
latlog, direct, out, figures, ncpu, kernel, when = sys.argv[1:]
g = json.loads(figures)

def pct(xs, p):  # nearest rank: with fewer than 100 samples, p99 is the maximum
    return xs[max(0, math.ceil(p / 100 * len(xs)) - 1)]

def stats(xs):
    xs = sorted(x / 1e6 for x in xs)
    if not xs:
        return {"n": 0, "p50_ms": None, "p99_ms": None, "max_ms": None}
    return {"n": len(xs), "p50_ms": round(pct(xs, 50), 2), "p99_ms": round(pct(xs, 99), 2),
            "max_ms": round(xs[-1], 2)}

stages = {"precreate": [], "createRuntime": [], "poststop": []}
for line in open(latlog):
    s, ns = line.split()
    stages.setdefault(s, []).append(int(ns))
lat = {s: stats(v) for s, v in stages.items()}
dp = stats([int(l) for l in open(direct) if l.strip()])
mib = lambda kib: kib / 1024
mem = {"at_start": {"vmrss_kib": g["rss0"], "vmhwm_kib": g["hwm0"]},
       "after_containers": {"vmrss_kib": g["rss1"], "vmhwm_kib": g["hwm1"]},
       "with_profiles": {"vmrss_kib": g["rss2"], "vmhwm_kib": g["hwm2"]},
       "profiles_in_store": g["profiles"], "target_rss_mib": 30,
       "target_met": g["rss2"] < 30 * 1024}
secs = g["idle_ns"] / 1e9
cpu_pct = round(g["ticks"] / g["clk_tck"] / secs * 100, 3)
c = {"requested": g["requested"], "started": g["started"], "failed": g["failed"],
     "wall_ms_to_start_all": g["wall_ms"], "runs_recorded": g["recorded"], "runs_closed": g["closed"],
     "ms_until_all_closed": g["close_ms"],
     "policyd_cpu_ms": g["load_ticks"] * 1000 // g["clk_tck"]}
doc = {"measured_at": when, "nproc": int(ncpu), "kernel": kernel, "loadavg_before": g["loadavg"],
       "runtime": "crun", "containers": c,
       "hook_latency_ms": lat, "direct_precreate_ms": dp, "memory": mem,
       "idle_cpu": {"seconds": round(secs, 2), "ticks": g["ticks"], "clk_tck": g["clk_tck"],
                    "percent": cpu_pct}}
with open(out, "w") as f:
    json.dump(doc, f, indent=2)
    f.write("\n")

print("oci-policyd under load: policyd, its hooks and Podman (crun, --network none)")
print(f"machine:  {ncpu} CPUs, kernel {kernel}")
print(f"date:     {when} (load average before: {g['loadavg']})")
print(f"containers: {c['started']}/{c['requested']} started at once in {c['wall_ms_to_start_all'] / 1000:.2f} s, "
      f"{c['failed']} failed; policyd recorded {c['runs_recorded']} runs, {c['runs_closed']} closed by poststop "
      f"({c['ms_until_all_closed'] / 1000:.1f} s after the last start returned)")
print(f"policyd CPU for them, first precreate to last poststop: {c['policyd_cpu_ms']} ms "
      f"({c['policyd_cpu_ms'] / c['requested']:.1f} ms per container)")
print("hook latency under that load: wall time of each hook as the engine runs it (ms)")
print(f"  {'stage':17}{'n':>5}{'p50':>9}{'p99':>9}{'max':>9}")
num = lambda x: f"{x:9.2f}" if x is not None else f"{'-':>9}"
for s, v in list(lat.items()) + [("precreate alone", dp)]:
    print(f"  {s:17}{v['n']:5}{num(v['p50_ms'])}{num(v['p99_ms'])}{num(v['max_ms'])}")
print("  (precreate alone: the hook fed a recorded config directly, no containers, no wrapper)")
print(f"memory, VmRSS / VmHWM (MiB): at start {mib(g['rss0']):.1f} / {mib(g['hwm0']):.1f}; "
      f"after the containers {mib(g['rss1']):.1f} / {mib(g['hwm1']):.1f}; "
      f"with {g['profiles']} profiles {mib(g['rss2']):.1f} / {mib(g['hwm2']):.1f}")
print(f"target: VmRSS < 30 MiB: {'met' if mem['target_met'] else 'NOT met'}")
print(f"idle CPU: {cpu_pct:.3f} % of one CPU ({g['ticks']} ticks of 1/{g['clk_tck']} s in {secs:.2f} s, "
      "no container running); target ~0")
print(f"written: {out}")
PY

((FAILED == 0)) || die "$FAILED of $CONTAINERS containers did not start"
((RECORDED == STARTED)) || die "policyd recorded $RECORDED runs of load-N profiles, expected $STARTED"
((CLOSED == STARTED)) || die "only $CLOSED of $STARTED runs were started and closed by the hooks"
