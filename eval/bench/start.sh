#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Container start latency with the policyd hooks vs without: `podman run --rm ... true`, paired runs.
#
#   eval/bench/start.sh [BUILD_DIR]      (default: build/ under the repository root)
#   BENCH_RUNS     measured pairs (default 30), after 3 warm-up pairs
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

# Private Podman, image, hooks pointed at the private socket, and an empty hooks dir for the
# baseline (--hooks-dir replaces the host's default hooks dirs for both variants).
podman_env_setup "$DIR/p"
make_busybox_image "$IMAGE"
mkdir -p "$HOOKS" "$EMPTY" "$DIR/run" "$DIR/state"
for f in "$BUILD"/hooks.d/*.json; do
	jq --arg s "POLICYD_SOCKET=$SOCK" '.hook.env = [$s]' "$f" >"$HOOKS/$(basename "$f")"
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

echo "warming up ($WARMUP pairs), then measuring $RUNS pairs under $RUNTIME..." >&2
for _ in $(seq "$WARMUP"); do
	one_run "$HOOKS" /dev/null
	one_run "$EMPTY" /dev/null
done
for _ in $(seq "$RUNS"); do
	one_run "$HOOKS" "$DIR/with.txt"
	one_run "$EMPTY" "$DIR/without.txt"
done

# A benchmark of hooks that silently did nothing is worthless: the daemon must have seen every
# hooked run, and none of the baseline's.
want=$((RUNS + WARMUP))
got=$(ctl list --json | jq -r --arg p "$IMAGE:latest" '[.[] | select(.profile == $p) | .runs][0] // 0')
((got >= want)) || die "policyd recorded $got runs of $IMAGE:latest, expected $want: the hooks did not reach it"
((got == want)) || die "policyd recorded $got runs of $IMAGE:latest, expected $want: the baseline was hooked too"

mkdir -p "$BUILD/bench"
python3 - "$DIR/with.txt" "$DIR/without.txt" "$BUILD/bench/start.json" "$RUNTIME" "$RUNS" \
	"$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(uname -r)" "$(nproc)" "$got" "$IMAGE:latest" <<'PY'
import json, statistics, sys
with_f, without_f, out, runtime, pairs, when, kernel, ncpu, recorded, profile = sys.argv[1:]

def stats(path):
    xs = [float(l) for l in open(path) if l.strip()]
    q = statistics.quantiles(xs, n=10, method="inclusive")
    return {"median": round(statistics.median(xs), 2), "p10": round(q[0], 2), "p90": round(q[8], 2)}

w, wo = stats(with_f), stats(without_f)
ratio = round(w["median"] / wo["median"], 3)
res = {"runtime": runtime, "pairs": int(pairs), "with_hooks_ms": w, "without_hooks_ms": wo,
       "ratio": ratio, "measured_at": when, "kernel": kernel}
with open(out, "w") as f:
    json.dump(res, f, indent=2)
    f.write("\n")

print("oci-policyd start latency: podman run --rm --network none IMAGE true")
print(f"machine:  {ncpu} CPUs, kernel {kernel}")
print(f"date:     {when}")
print(f"runtime:  {runtime}, {pairs} pairs (alternating, after 3 warm-up pairs)")
print(f"{'':16}{'median':>9}{'p10':>9}{'p90':>9}  (ms)")
for name, s in (("with hooks", w), ("without hooks", wo)):
    print(f"{name:16}{s['median']:9.2f}{s['p10']:9.2f}{s['p90']:9.2f}")
print(f"ratio median(with)/median(without): {ratio:.3f}")
print("target: <= 1.05")
print(f"policyd recorded {recorded} runs of {profile}")
print(f"written: {out}")
PY
