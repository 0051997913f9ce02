#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The comparative study (issue 8): runc and crun with Podman's defaults, runc and crun hardened by
# oci-policyd's learned and approved policy, and gVisor (runsc, ptrace platform), on real workloads.
# Kata cannot run on this host and is reported as such, never measured.
#
#   eval/run.sh [--quick] [--build DIR] [--out DIR] [--workloads "W..."]
#
#   full  (make eval):       busybox, nginx, redis, postgresql, python; every metric, repeated
#   quick (make eval-quick): busybox and redis; fewer repeats; no file I/O or learning overhead
#
# Phases: images → learn (every workload under each runtime with policyd, exercised by its load
# driver, then approved by the harness) → per workload: the five configurations side by side
# (functional check, memory, load rounds interleaved across configurations, escape probes run
# inside the running container, the kernel's real seccomp filter) → microbenchmarks (start, getppid,
# file I/O) interleaved across configurations → collect.py (OUT/RUN_ID.json), report.py
# (OUT/RUN_ID/report.md + PNGs), check-results.py. Everything it makes is private and removed.
set -euo pipefail

die() {
	echo "eval: $*" >&2
	exit 1
}
say() { echo "eval [$(date -u +%H:%M:%S)] $*" >&2; }

ROOT=$(cd "$(dirname "$0")/.." && pwd)
MODE=full
ONLY=
BUILD=$ROOT/build
OUT=
while (($#)); do
	case $1 in
	--quick) MODE=quick ;;
	--build) BUILD=${2:?--build needs a directory}; shift ;;
	--out) OUT=${2:?--out needs a directory}; shift ;;
	--workloads) ONLY=${2:?--workloads needs a list}; shift ;; # e.g. "redis postgresql": a subset
	-h | --help) sed -n '3,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument '$1' (try --help)" ;;
	esac
	shift
done
[[ -n $OUT ]] || OUT=$ROOT/eval/results

if [[ $MODE == quick ]]; then
	WORKLOADS=(busybox redis)
	LEARN_RUNS=1 LOAD_ROUNDS=2 LOAD_SECONDS=3 START_REPS=5 GETPPID_REPS=3 GETPPID_CALLS=200000
	FILEIO_REPS=0 LEARN_LOAD=0
else
	WORKLOADS=(busybox nginx redis postgresql python)
	LEARN_RUNS=2 LOAD_ROUNDS=3 LOAD_SECONDS=6 START_REPS=15 GETPPID_REPS=5 GETPPID_CALLS=500000
	FILEIO_REPS=3 FILEIO_MIB=64 LEARN_LOAD=1
fi
[[ -z $ONLY ]] || read -r -a WORKLOADS <<<"$ONLY"
CONFIGS=(runc-default crun-default runc-policyd crun-policyd gvisor)
PY=/usr/bin/python3 # Debian's, with matplotlib; not a pyenv python3 earlier on PATH

[[ $(id -u) -eq 0 ]] || die "needs root (real Podman, OCI hooks, BPF and ptrace)"
[[ -x $BUILD/bin/policyd ]] || die "no $BUILD/bin/policyd: run 'make build' first or pass --build"
BUILD=$(cd "$BUILD" && pwd)
for tool in podman runc crun runsc conmon gcc jq curl wrk redis-cli redis-benchmark "$PY"; do
	command -v "$tool" >/dev/null || die "$tool is not installed (make deps installs it)"
done
"$PY" -c 'import matplotlib' 2>/dev/null || die "python3-matplotlib is not installed (make deps installs it)"

# shellcheck source-path=SCRIPTDIR/.. source=scripts/podman-env.sh
source "$ROOT/scripts/podman-env.sh"
# shellcheck source=lib/images.sh
source "$ROOT/eval/lib/images.sh"
# shellcheck source=lib/workloads.sh
source "$ROOT/eval/lib/workloads.sh"

RUN_ID=$(date -u +%Y%m%dT%H%M%SZ)-$MODE
STARTED=$(date -u +%Y-%m-%dT%H:%M:%SZ)
W=$(mktemp -d /tmp/pev.XXXXXX) # short: conmon's sockets live below it (podman-env.sh)
RAW=$W/raw                     # what collect.py reads; kept next to the report
SOCK=$W/run/policyd.sock
HOOKS_PD=$W/hp    # policyd's hooks + the config capture
HOOKS_NONE=$W/hn  # the config capture only
PBIN=$W/pbin      # mounted read-only at /.eval in every workload container
PD_PID=
mkdir -p "$RAW"/{probes,surface,cfg,policies,logs} "$W/run" "$W/state" "$HOOKS_PD" "$HOOKS_NONE" "$PBIN" "$W/capt"

cleanup() {
	[[ -z $PODMAN_ENV_DIR ]] || podman rm -af -t 0 >/dev/null 2>&1 || true
	[[ -z $PD_PID ]] || { kill -TERM "$PD_PID" 2>/dev/null; wait "$PD_PID" 2>/dev/null; } || true
	podman_env_teardown || true
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

note() { echo "$*" >>"$RAW/notes.txt"; say "note: $*"; }
# perf METRIC CONFIG WORKLOAD UNIT HIGHER_IS_BETTER VALUE: one sample.
perf() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RAW/perf.tsv"; }
compat() { printf '%s\t%s\t%s\t%s\n' "$@" >>"$RAW/compat.tsv"; }

# ---------------------------------------------------------------------------------------------
say "mode $MODE: workloads ${WORKLOADS[*]}; configurations ${CONFIGS[*]} (kata: not runnable here)"
gcc -O2 -static -Wall -o "$PBIN/escape-probes" "$ROOT/eval/probes/escape-probes.c"
gcc -O2 -static -Wall -o "$PBIN/getppid-loop" "$ROOT/eval/bench/getppid-loop.c"
gcc -O2 -static -Wall -o "$PBIN/fileio" "$ROOT/eval/workloads/fileio.c"
gcc -O2 -Wall -o "$W/seccomp-surface" "$ROOT/eval/probes/seccomp-surface.c" -lseccomp

podman_env_setup "$W/p"
eval_image_busybox localhost/eval-busybox "$PBIN/getppid-loop" "$PBIN/fileio"
services=()
for w in "${WORKLOADS[@]}"; do [[ $w == busybox ]] || services+=("$w"); done
((${#services[@]} == 0)) || eval_image_services localhost/eval-services "${services[@]}"

# gVisor behind Podman's bridge (HOST-NOTES): its own netstack off, the pod's namespace used.
printf '#!/bin/sh\nexec /usr/bin/runsc --network=host "$@"\n' >"$W/runsc"
chmod +x "$W/runsc"

# Hooks: policyd's, pointed at our private daemon, and a capture hook that keeps the final config
# the runtime gets (it sorts after 99-policyd-*, so it sees what policyd's precreate made of it).
for f in "$BUILD"/hooks.d/*.json; do
	jq --arg s "POLICYD_SOCKET=$SOCK" --arg d "POLICYD_STATE_DIR=$W/state" \
		'.hook.env = [$s, $d]' "$f" >"$HOOKS_PD/$(basename "$f")"
done
jq -n --arg c "f=\$(/bin/mktemp $W/capt/c.XXXXXX) && /bin/cat >\$f && /bin/cat \$f" \
	'{version: "1.0.0", hook: {path: "/bin/sh", args: ["sh", "-c", $c], timeout: 10},
	  when: {always: true}, stages: ["precreate"]}' | tee "$HOOKS_NONE/zz-capture.json" >"$HOOKS_PD/zz-capture.json"

ctl() { "$BUILD/bin/policyctl" --socket "$SOCK" "$@"; }
"$BUILD/bin/policyd" --socket "$SOCK" --state-dir "$W/state" >>"$RAW/logs/policyd.log" 2>&1 &
PD_PID=$!
for _ in $(seq 200); do ctl list >/dev/null 2>&1 && break; sleep 0.05; done
ctl list >/dev/null 2>&1 || { tail -5 "$RAW/logs/policyd.log" >&2; die "policyd did not come up"; }

# cfg_args CONFIG PROFILE: podman options selecting the configuration (PROFILE: the policyd
# profile for policyd configurations; ignored otherwise).
cfg_args() {
	case $1 in
	runc-default) echo --hooks-dir "$HOOKS_NONE" --runtime runc ;;
	crun-default) echo --hooks-dir "$HOOKS_NONE" --runtime crun ;;
	runc-policyd) echo --hooks-dir "$HOOKS_PD" --runtime runc --annotation "io.policyd.profile=$2-runc" ;;
	crun-policyd) echo --hooks-dir "$HOOKS_PD" --runtime crun --annotation "io.policyd.profile=$2-crun" ;;
	gvisor) echo --hooks-dir "$HOOKS_NONE" --runtime "$W/runsc" ;;
	*) die "unknown configuration $1" ;;
	esac
}
# start_service CONFIG WORKLOAD NAME PORT: a detached container, /.eval mounted read-only.
start_service() {
	local cfg=$1 w=$2 name=$3 port=$4 opts cmd args
	mapfile -t opts < <(wl_podman_opts "$w")
	mapfile -t cmd < <(wl_command "$w") # an empty line is an empty argument
	read -r -a args <<<"$(cfg_args "$cfg" "eval-$w")"
	podman run -d --name "$name" --annotation "eval.name=$name" "${args[@]}" -p "127.0.0.1:$port:$(wl_cport "$w")" \
		-v "$PBIN:/.eval:ro" "${opts[@]}" "$(wl_image "$w")" "${cmd[@]}" >/dev/null 2>"$RAW/logs/$name.start.err"
}
# wait_up WORKLOAD NAME PORT: 0 once the service answers; 1 after 60 s or as soon as the container
# is no longer running (a workload its policy stops at start does not cost the whole minute).
wait_up() {
	local i
	for i in $(seq 30); do
		wl_wait_ready "$1" "$3" 2 2>/dev/null && return 0
		[[ $(podman inspect -f '{{.State.Running}}' "$2" 2>/dev/null) == true ]] || return 1
	done
	return 1
}
# stop_service NAME: a graceful stop (so a learning run sees the shutdown path), then removal.
stop_service() {
	podman stop -t 10 "$1" >/dev/null 2>&1 || true
	podman rm -f -t 0 "$1" >/dev/null 2>&1 || true
}
# captured NAME: the config the runtime got for container NAME (the capture hook's copy; the
# eval.name annotation reaches every hook stage).
captured() {
	local f
	for f in "$W"/capt/c.*; do
		jq -e --arg n "$1" '.annotations["eval.name"] == $n' "$f" >/dev/null 2>&1 && { echo "$f"; return 0; }
	done
	return 1
}
# descendants PID: the processes below PID (a container's, below its conmon; for gVisor the
# Sentry, the gofer and the stub processes).
descendants() {
	ps -e -o pid=,ppid= | awk -v r="$1" '{pp[$1] = $2} END {
		for (k in pp) { x = k; n = 0; while ((x in pp) && x != r && x > 1 && n++ < 64) x = pp[x]; if (x == r && k != r) print k } }'
}
# tree_pss PID: proportional set size (KiB) of PID's descendants, shared pages counted once.
tree_pss() {
	local p v total=0
	for p in $(descendants "$1"); do
		v=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null) && total=$((total + ${v:-0}))
	done
	echo "$total"
}

# ---------------------------------------------------------------------------------------------
# Learning: each workload under each runtime through policyd, exercised like in production, then
# approved. Full mode also measures the load driver while learning (learning_throughput) against
# a runc-default container measured right after it.
learn_service() {
	local w=$1 rt=$2 run=$3 name="ev-learn-$1-$2" port=17999 v
	start_service "$rt-policyd" "$w" "$name" "$port" ||
		die "learning $w under $rt: podman run failed: $(head -3 "$RAW/logs/$name.start.err")"
	wait_up "$w" "$name" "$port" || die "learning $w under $rt: not ready within 60 s ($(podman logs --tail 3 "$name" 2>&1))"
	wl_exercise "$w" "$port" >>"$RAW/logs/learn.log" 2>&1 || die "learning $w under $rt: the exercise failed (see logs)"
	if ((LEARN_LOAD && run == 1)); then
		v=$(wl_load "$w" "$port" "$LOAD_SECONDS" 2>>"$RAW/logs/learn.log") && perf learning_throughput "$rt-policyd" "$w" "$(wl_load_unit "$w")" 1 "$v"
		stop_service "$name"
		start_service runc-default "$w" "$name" "$port" || die "$w under runc-default did not start"
		wait_up "$w" "$name" "$port" || die "$w under runc-default: not ready"
		v=$(wl_load "$w" "$port" "$LOAD_SECONDS" 2>>"$RAW/logs/learn.log") && perf learning_throughput runc-default "$w" "$(wl_load_unit "$w")" 1 "$v"
	fi
	stop_service "$name"
}
# learn_micro RT PROFILE CMD...: a busybox microbenchmark learned under RT.
learn_micro() {
	local rt=$1 prof=$2 args
	shift 2
	read -r -a args <<<"$(cfg_args "$rt-policyd" "$prof")"
	podman run --rm --network none "${args[@]}" localhost/eval-busybox "$@" >>"$RAW/logs/learn.log" 2>&1 ||
		die "learning $prof under $rt: '$*' failed"
}

say "learning: ${WORKLOADS[*]} and the microbenchmarks, $LEARN_RUNS run(s) each under runc and crun"
for rt in runc crun; do
	for w in "${WORKLOADS[@]}"; do
		for run in $(seq "$LEARN_RUNS"); do learn_service "$w" "$rt" "$run"; done
	done
	for run in $(seq "$LEARN_RUNS"); do
		learn_micro "$rt" eval-true true
		learn_micro "$rt" eval-getppid /bin/getppid-loop 1000
		((FILEIO_REPS == 0)) || learn_micro "$rt" eval-fileio /bin/fileio /tmp 4
	done
done
sleep 1 # the deferred recompile of the last candidate
for p in $(ctl list --json | jq -r '.[].profile'); do
	ctl approve "$p" >>"$RAW/logs/learn.log" 2>&1 || die "policyctl approve $p failed: $(tail -2 "$RAW/logs/learn.log")"
	ctl show "$p" --json >"$RAW/policies/$p.json"
done
ctl list --json >"$RAW/policies/list.json"
jq -e 'all(.[]; .mode == "enforce")' "$RAW/policies/list.json" >/dev/null || die "not every profile is enforced after approval"
say "approved $(jq length "$RAW/policies/list.json") profiles"

# ---------------------------------------------------------------------------------------------
# The services: all five configurations at once (ports BASE+i), so load rounds can interleave.
run_probes() { # CONFIG WORKLOAD NAME: the escape probes inside the running container
	local cfg=$1 w=$2 name=$3 conf rules shim out=$RAW/probes/$1.$2.jsonl
	conf=$(captured "$name") || conf=
	shim=
	[[ -n $conf ]] && shim=$(jq -r 'if .process.args[0] == "/.policyd/landlock-shim" then "yes" else "" end' "$conf")
	if [[ -n $shim ]]; then
		# Stand-in for code injected into the workload: the probes run inside the workload's own
		# Landlock domain; the one right added is executing the probe binary itself.
		rules=$(jq -r '.mounts[] | select(.destination == "/.policyd/landlock.rules") | .source' "$conf")
		{ cat "$rules"; echo "fs rx /.eval/escape-probes"; } >"$PBIN/rules.$cfg.$w"
		timeout 300 podman exec "$name" /.policyd/landlock-shim "/.eval/rules.$cfg.$w" -- /.eval/escape-probes \
			>"$out" 2>"$RAW/logs/probes.$cfg.$w.err" || note "probes in $cfg/$w: podman exec exited $?"
	else
		timeout 300 podman exec "$name" /.eval/escape-probes >"$out" 2>"$RAW/logs/probes.$cfg.$w.err" ||
			note "probes in $cfg/$w: podman exec exited $?"
	fi
	[[ -n $conf ]] && cp "$conf" "$RAW/cfg/$cfg.$w.json"
	echo "$shim" >"$RAW/probes/$cfg.$w.shim"
	# The workload's own confinement as the host sees it: where the probes' Landlock domain or
	# filter hides /proc/self/status from them (for gVisor: the Sentry's, not the sandbox's view).
	grep -E '^(Uid|Seccomp|Seccomp_filters|NoNewPrivs|CapEff|CapBnd):' \
		"/proc/$(podman inspect -f '{{.State.Pid}}' "$name")/status" >"$RAW/probes/$cfg.$w.hoststatus" 2>/dev/null || true
}
surface() { # CONFIG WORKLOAD NAME: the seccomp filter the kernel really applies to the workload
	local cfg=$1 w=$2 name=$3 target
	# For gVisor this is the Sentry (runsc-sandbox): its own filter is what the host kernel exposes
	# to a sandboxed workload. (The gofer has a filter of its own; see docs/evaluation.md.)
	target=$(podman inspect -f '{{.State.Pid}}' "$name")
	if [[ -n $target ]] && "$W/seccomp-surface" "$target" >"$RAW/surface/$cfg.$w.json" 2>>"$RAW/logs/surface.err"; then
		echo "$target" >"$RAW/surface/$cfg.$w.pid"
	else
		rm -f "$RAW/surface/$cfg.$w.json"
		note "seccomp-surface of $cfg/$w (pid ${target:-none}) failed: $(tail -1 "$RAW/logs/surface.err" 2>/dev/null)"
	fi
}

base=18100
for w in "${WORKLOADS[@]}"; do
	say "$w: starting it under ${CONFIGS[*]}"
	declare -A port=() up=()
	i=0
	for cfg in "${CONFIGS[@]}"; do
		port[$cfg]=$((base + i)) && i=$((i + 1))
		if start_service "$cfg" "$w" "ev-$cfg-$w" "${port[$cfg]}"; then up[$cfg]=1; else
			compat "$cfg" "$w" 0 "podman run failed: $(head -1 "$RAW/logs/ev-$cfg-$w.start.err")"
		fi
	done
	for cfg in "${CONFIGS[@]}"; do
		[[ -n ${up[$cfg]:-} ]] || continue
		if ! wait_up "$w" "ev-$cfg-$w" "${port[$cfg]}"; then
			compat "$cfg" "$w" 0 "not serving (60 s or exited): $(podman logs --tail 2 "ev-$cfg-$w" 2>&1 | tr '\n' ' ')"
			unset "up[$cfg]"
			continue
		fi
		if detail=$(wl_check "$w" "${port[$cfg]}" 2>&1); then
			compat "$cfg" "$w" 1 "$detail"
		else
			compat "$cfg" "$w" 0 "functional check failed: $detail"
		fi
	done
	say "$w: $LOAD_ROUNDS load round(s) of ${LOAD_SECONDS}s per configuration, interleaved"
	for r in $(seq "$LOAD_ROUNDS"); do
		order=("${CONFIGS[@]}")
		((r % 2)) || order=($(printf '%s\n' "${CONFIGS[@]}" | tac))
		for cfg in "${order[@]}"; do
			[[ -n ${up[$cfg]:-} ]] || continue
			if v=$(wl_load "$w" "${port[$cfg]}" "$LOAD_SECONDS" 2>>"$RAW/logs/load.err"); then
				perf throughput "$cfg" "$w" "$(wl_load_unit "$w")" 1 "$v"
			else
				note "load driver failed for $w under $cfg in round $r"
			fi
		done
	done
	for cfg in "${CONFIGS[@]}"; do
		[[ -n ${up[$cfg]:-} ]] || continue
		perf container_pss_kib "$cfg" "$w" KiB 0 "$(tree_pss "$(podman inspect -f '{{.State.ConmonPid}}' "ev-$cfg-$w")")"
		[[ $cfg != *-policyd ]] || perf daemon_rss_kib "$cfg" "$w" KiB 0 "$(awk '/^VmRSS:/ {print $2}' "/proc/$PD_PID/status")"
		# After the load, still serving? (a learned policy that misses a code path shows here)
		wl_check "$w" "${port[$cfg]}" >/dev/null 2>&1 || note "$w under $cfg failed its functional check after the load rounds"
	done
	say "$w: escape probes and the kernel's seccomp filter per configuration"
	for cfg in "${CONFIGS[@]}"; do
		[[ -n ${up[$cfg]:-} ]] || continue
		run_probes "$cfg" "$w" "ev-$cfg-$w"
		surface "$cfg" "$w" "ev-$cfg-$w"
	done
	for cfg in "${CONFIGS[@]}"; do stop_service "ev-$cfg-$w"; done
	unset port up
	base=$((base + 10))
done

# ---------------------------------------------------------------------------------------------
# Microbenchmarks in the busybox image, rounds interleaved across configurations.
micro() { # CONFIG PROFILE CMD...: prints the command's stdout
	local cfg=$1 prof=$2 args
	shift 2
	read -r -a args <<<"$(cfg_args "$cfg" "$prof")"
	podman run --rm --network none "${args[@]}" localhost/eval-busybox "$@"
}
say "microbenchmarks: start time x$START_REPS, getppid x$GETPPID_REPS ($GETPPID_CALLS calls), file I/O x$FILEIO_REPS"
for r in $(seq "$START_REPS"); do
	order=("${CONFIGS[@]}")
	((r % 2)) || order=($(printf '%s\n' "${CONFIGS[@]}" | tac))
	for cfg in "${order[@]}"; do
		t0=$(date +%s%N)
		if micro "$cfg" eval-true true >/dev/null 2>>"$RAW/logs/micro.err"; then
			perf start_ms "$cfg" busybox ms 0 "$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN {printf "%.2f", (b - a) / 1e6}')"
		else
			note "podman run true failed under $cfg (round $r)"
		fi
	done
done
for r in $(seq "$GETPPID_REPS"); do
	for cfg in "${CONFIGS[@]}"; do
		out=$(micro "$cfg" eval-getppid /bin/getppid-loop "$GETPPID_CALLS" 2>>"$RAW/logs/micro.err") || true
		# Podman very rarely loses a short-lived container's output: one retry, noted.
		[[ $out == *ns_per_call=* ]] || { note "getppid-loop under $cfg printed '$out': retried"; out=$(micro "$cfg" eval-getppid /bin/getppid-loop "$GETPPID_CALLS" 2>>"$RAW/logs/micro.err") || true; }
		if [[ $out =~ ns_per_call=([0-9.]+) ]]; then perf getppid_ns "$cfg" busybox ns 0 "${BASH_REMATCH[1]}"; else
			note "getppid-loop under $cfg printed '$out' again: no sample"; fi
	done
done
for r in $(seq "$FILEIO_REPS"); do
	for cfg in "${CONFIGS[@]}"; do
		out=$(micro "$cfg" eval-fileio /bin/fileio /tmp "$FILEIO_MIB" 2>>"$RAW/logs/micro.err") || true
		if [[ $out =~ write_mib_s=([0-9.]+)\ read_mib_s=([0-9.]+)\ meta_ops_s=([0-9.]+) ]]; then
			perf fileio_write_mib_s "$cfg" busybox MiB/s 1 "${BASH_REMATCH[1]}"
			perf fileio_read_mib_s "$cfg" busybox MiB/s 1 "${BASH_REMATCH[2]}"
			perf fileio_meta_ops_s "$cfg" busybox files/s 1 "${BASH_REMATCH[3]}"
		else
			note "fileio under $cfg printed '$out'"
		fi
	done
done

# ---------------------------------------------------------------------------------------------
FINISHED=$(date -u +%Y-%m-%dT%H:%M:%SZ)
cp "$W"/capt/c.* "$RAW/cfg/" 2>/dev/null || true
mkdir -p "$OUT/$RUN_ID"
for w in "${WORKLOADS[@]}"; do wl_load_desc "$w" >"$RAW/load.$w.txt"; done
"$PY" "$ROOT/eval/lib/collect.py" "$RAW" "$OUT/$RUN_ID.json" --run-id "$RUN_ID" --mode "$MODE" \
	--started "$STARTED" --finished "$FINISHED" --policyd "$("$BUILD/bin/policyd" --version 2>&1 | head -1)" \
	--workloads "${WORKLOADS[*]}"
"$PY" "$ROOT/eval/report.py" "$OUT/$RUN_ID.json" "$OUT/$RUN_ID"
# The raw data beside the report: every figure can be traced back to a sample.
tar -C "$W" -czf "$OUT/$RUN_ID/raw.tar.gz" raw
check=(--report-dir "$OUT/$RUN_ID")
[[ $MODE == quick ]] && check+=(--quick)
"$PY" "$ROOT/eval/check-results.py" "$OUT/$RUN_ID.json" "${check[@]}"
say "done: $OUT/$RUN_ID.json, $OUT/$RUN_ID/report.md"
