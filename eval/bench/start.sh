#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Container start latency with the policyd hooks vs without: `podman run --rm ... true`, interleaved
# runs of three variants: our hooks, no hooks, and no-op hooks (the same three stages, each running
# /bin/cat), the last being Podman's and the runtime's own floor for running three hooks at all.
#
#   eval/bench/start.sh [BUILD_DIR]      (default: build/ under the repository root)
#   BENCH_RUNS     measured rounds, one run of each variant per round (default 30), after 3 warm-up
#                  rounds; the order inside a round rotates, so no variant always goes first
#   BENCH_RUNTIME  crun (default) or runc
# Prints a report and writes BUILD_DIR/bench/start.json. Everything runs against a private Podman
# storage and a private policyd under one temporary directory, removed on exit.
set -euo pipefail

die() {
	echo "start.sh: $*" >&2
	exit 1
}

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$ROOT/build}
RUNS=${BENCH_RUNS:-30}
RUNTIME=${BENCH_RUNTIME:-crun}
WARMUP=3
IMAGE=localhost/policyd-bench-busybox

[[ $(id -u) -eq 0 ]] || die "needs root (real Podman, OCI hooks and BPF)"
[[ -x $BUILD/bin/policyd ]] || die "no $BUILD/bin/policyd: build first or pass the build directory"
BUILD=$(cd "$BUILD" && pwd)
compgen -G "$BUILD/hooks.d/*.json" >/dev/null || die "no hook files in $BUILD/hooks.d"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer, not '$RUNS'"
[[ $RUNTIME == crun || $RUNTIME == runc ]] || die "BENCH_RUNTIME must be crun or runc, not '$RUNTIME'"
for tool in podman jq python3; do
	command -v "$tool" >/dev/null || die "$tool is not installed"
done

# shellcheck source-path=SCRIPTDIR/../.. source=scripts/podman-env.sh
source "$ROOT/scripts/podman-env.sh"

DIR=$(mktemp -d /tmp/pdb.XXXXXX) # short: see podman-env.sh
SOCK=$DIR/run/policyd.sock
HOOKS=$DIR/hooks.d
EMPTY=$DIR/no-hooks.d
NOOP=$DIR/noop-hooks.d
PD_PID=

cleanup() {
	if [[ -n $PD_PID ]]; then
		kill -TERM "$PD_PID" 2>/dev/null || true
		wait "$PD_PID" 2>/dev/null || true
	fi
	podman_env_teardown || true
	rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ctl() {
	"$BUILD/bin/policyctl" --socket "$SOCK" "$@"
}

# Private Podman, image, hooks pointed at the private socket, an empty hooks dir for the
# baseline, and the same hook files turned into no-ops: /bin/cat on every stage (precreate must echo
# the config on stdout; createRuntime and poststop get the state on stdin, and cat reads it all, so
# no runtime ever sees a broken pipe). --hooks-dir replaces the host's default hooks dirs for all
# three variants.
podman_env_setup "$DIR/p"
make_busybox_image "$IMAGE"
mkdir -p "$HOOKS" "$EMPTY" "$NOOP" "$DIR/run" "$DIR/state"
for f in "$BUILD"/hooks.d/*.json; do
	jq --arg s "POLICYD_SOCKET=$SOCK" '.hook.env = [$s]' "$f" >"$HOOKS/$(basename "$f")"
	jq '.hook.path = "/bin/cat" | .hook.args = ["cat"] | del(.hook.env)' "$f" >"$NOOP/$(basename "$f")"
done

"$BUILD/bin/policyd" --socket "$SOCK" --state-dir "$DIR/state" >"$DIR/policyd.log" 2>&1 &
PD_PID=$!
for _ in $(seq 100); do
	ctl list >/dev/null 2>&1 && break
	kill -0 "$PD_PID" 2>/dev/null || break
	sleep 0.05
done
ctl list >/dev/null 2>&1 || { cat "$DIR/policyd.log" >&2; die "policyd did not come up (log above)"; }

# one_run HOOKS_DIR OUT: appends the wall time of one container, in ms with 2 decimals, to OUT.
one_run() {
	local t0 t1 c
	t0=$(date +%s%N)
	podman --hooks-dir "$1" run --rm --network none --runtime "$RUNTIME" "$IMAGE" true >/dev/null ||
		die "podman run failed (hooks dir $1)"
	t1=$(date +%s%N)
	c=$(((t1 - t0 + 5000) / 10000)) # hundredths of a millisecond
	printf '%d.%02d\n' $((c / 100)) $((c % 100)) >>"$2"
}

# round N: one run of each variant, starting at variant N mod 3.
round() {
	local dirs=("$HOOKS" "$EMPTY" "$NOOP") outs=("$2/with.txt" "$2/without.txt" "$2/noop.txt") i k
	for k in 0 1 2; do
		i=$(((k + $1) % 3))
		if [[ $2 == /dev/null ]]; then one_run "${dirs[i]}" /dev/null; else one_run "${dirs[i]}" "${outs[i]}"; fi
	done
}

echo "warming up ($WARMUP rounds), then measuring $RUNS rounds of 3 runs under $RUNTIME..." >&2
for n in $(seq "$WARMUP"); do
	round "$n" /dev/null
done
for n in $(seq "$RUNS"); do
	round "$n" "$DIR"
done

# A benchmark of hooks that silently did nothing is worthless: the daemon must have seen every run
# with our hooks, and none of the baseline's or the no-op variant's.
want=$((RUNS + WARMUP))
got=$(ctl list --json | jq -r --arg p "$IMAGE:latest" '[.[] | select(.profile == $p) | .runs][0] // 0')
((got >= want)) || die "policyd recorded $got runs of $IMAGE:latest, expected $want: the hooks did not reach it"
((got == want)) || die "policyd recorded $got runs of $IMAGE:latest, expected $want: the baseline or no-op runs reached it too"

mkdir -p "$BUILD/bench"
python3 - "$DIR/with.txt" "$DIR/without.txt" "$DIR/noop.txt" "$BUILD/bench/start.json" "$RUNTIME" "$RUNS" \
	"$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(uname -r)" "$(nproc)" "$got" "$IMAGE:latest" <<'PY'
import json, statistics, sys
with_f, without_f, noop_f, out, runtime, pairs, when, kernel, ncpu, recorded, profile = sys.argv[1:]

def stats(path):
    xs = [float(l) for l in open(path) if l.strip()]
    q = statistics.quantiles(xs, n=10, method="inclusive")
    return {"median": round(statistics.median(xs), 2), "p10": round(q[0], 2), "p90": round(q[8], 2)}

w, wo, n = stats(with_f), stats(without_f), stats(noop_f)
ratio = round(w["median"] / wo["median"], 3)
noop_ratio = round(n["median"] / wo["median"], 3)
ours = round(w["median"] - n["median"], 2)
# "pairs" keeps its name for older readers of this file: it counts rounds, one run of each variant.
res = {"runtime": runtime, "pairs": int(pairs), "with_hooks_ms": w, "without_hooks_ms": wo,
       "ratio": ratio, "noop_hooks_ms": n, "noop_ratio": noop_ratio, "ours_over_noop_ms": ours,
       "measured_at": when, "kernel": kernel}
with open(out, "w") as f:
    json.dump(res, f, indent=2)
    f.write("\n")

print("oci-policyd start latency: podman run --rm --network none IMAGE true")
print(f"machine:  {ncpu} CPUs, kernel {kernel}")
print(f"date:     {when}")
print(f"runtime:  {runtime}, {pairs} rounds of 3 runs (interleaved, rotating order, after 3 warm-up rounds)")
print(f"{'':16}{'median':>9}{'p10':>9}{'p90':>9}  (ms)")
for name, s in (("with hooks", w), ("without hooks", wo), ("no-op hooks", n)):
    print(f"{name:16}{s['median']:9.2f}{s['p10']:9.2f}{s['p90']:9.2f}")
print(f"ratio median(with)/median(without): {ratio:.3f}")
print("target: <= 1.05")
print(f"ratio median(no-op)/median(without): {noop_ratio:.3f}  (Podman's floor for three hooks)")
print(f"ours beyond the floor, median(with) - median(no-op): {ours:+.2f} ms")
print(f"policyd recorded {recorded} runs of {profile}")
print(f"written: {out}")
PY
