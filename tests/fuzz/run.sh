#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the libFuzzer targets of tests/fuzz and runs each for a bounded time.
#
#   tests/fuzz/run.sh [SECONDS_PER_TARGET] [BUILD_DIR]     (defaults: 12, build-fuzz)
#
# BUILD_DIR is relative to the source tree's root unless absolute. The standalone project in
# tests/fuzz is configured with clang and built there (it compiles the sources it needs and the
# BPF skeleton itself: no main build directory is needed). Each target runs with
# -max_total_time=SECONDS -timeout=5 -rss_limit_mb=2048 on a copy of its seed corpus
# (tests/fuzz/corpus/<target>, plus the reproducers of past findings in
# tests/fuzz/regressions/<target>) under BUILD_DIR/fuzz-run/<target>/, so runs never add files
# to the repository. One summary line per target; on a crash, leak, timeout or OOM the path of
# the reproducer and the sanitizer report are printed and the script exits 1 (after running
# every target). Exit 2: the build failed.
#
# Environment:
#   FUZZ_TARGETS="fuzz-proto fuzz-policy"   only these targets
#   FUZZ_KEEP_CORPUS=1                      keep BUILD_DIR/fuzz-run/<target>/corpus between runs
#                                           (long runs: `make fuzz`), seeds merged in each time
#   FUZZ_ARGS="-jobs=2 ..."                 more libFuzzer flags
#   FUZZ_CC=clang-14                        compiler (default clang)
set -uo pipefail

SECS=${1:-12}
BUILD=${2:-build-fuzz}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT" || exit 2
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac

if ! [[ $SECS =~ ^[0-9]+$ ]] || [ "$SECS" -lt 1 ]; then
	echo "usage: $0 [SECONDS_PER_TARGET] [BUILD_DIR]" >&2
	exit 2
fi

start=$(date +%s)
echo "== building fuzz targets in $BUILD"
mkdir -p "$BUILD" || exit 2
if ! cmake -S "$HERE" -B "$BUILD" -DCMAKE_C_COMPILER="${FUZZ_CC:-clang}" >"$BUILD/configure.log" 2>&1; then
	cat "$BUILD/configure.log" >&2
	echo "fuzz: configuring $HERE failed" >&2
	exit 2
fi
grep -i 'warning' -A2 "$BUILD/configure.log" >&2
if ! cmake --build "$BUILD" -j"$(nproc)" >"$BUILD/build.log" 2>&1; then
	cat "$BUILD/build.log" >&2
	echo "fuzz: build failed" >&2
	exit 2
fi
built=$(date +%s)
echo "   built in $((built - start)) s"

targets=${FUZZ_TARGETS:-$(cat "$BUILD/fuzz-targets.txt")}
for t in fuzz-proto fuzz-oci-config fuzz-oci-state fuzz-policy fuzz-record; do
	if [ -z "${FUZZ_TARGETS:-}" ] && ! grep -qx "$t" "$BUILD/fuzz-targets.txt"; then
		echo "fuzz: warning: $t was not built (see the configure output)" >&2
	fi
done

# Sanitizer reports symbolized; UBSan findings are crashes (the code is also built with
# -fno-sanitize-recover=all).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:symbolize=1:strict_string_checks=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ]; then
	for s in llvm-symbolizer llvm-symbolizer-14; do
		if command -v "$s" >/dev/null; then
			ASAN_SYMBOLIZER_PATH=$(command -v "$s")
			export ASAN_SYMBOLIZER_PATH
			break
		fi
	done
fi

failed=()
for t in $targets; do
	bin=$BUILD/$t
	seeds=$HERE/corpus/$t
	work=$BUILD/fuzz-run/$t
	if [ ! -x "$bin" ]; then
		echo "$t: FAIL not built ($bin)"
		failed+=("$t")
		continue
	fi
	[ "${FUZZ_KEEP_CORPUS:-0}" = 1 ] || rm -rf "$work/corpus"
	rm -rf "$work/artifacts"
	mkdir -p "$work/corpus" "$work/artifacts"
	[ -d "$seeds" ] && cp -R "$seeds/." "$work/corpus/"
	# Reproducers of past findings run first, with the seeds (libFuzzer runs the corpus
	# before mutating it): a regression shows up in the first second.
	[ -d "$HERE/regressions/$t" ] && cp -R "$HERE/regressions/$t/." "$work/corpus/"
	dict=()
	[ -f "$HERE/$t.dict" ] && dict=(-dict="$HERE/$t.dict")
	t0=$SECONDS
	# shellcheck disable=SC2086 # FUZZ_ARGS is a list of flags
	"$bin" -max_total_time="$SECS" -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$work/artifacts/" "${dict[@]}" ${FUZZ_ARGS:-} "$work/corpus" \
		>"$work/fuzz.log" 2>&1
	rc=$?
	elapsed=$((SECONDS - t0))

	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log" | tail -n1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/fuzz.log" | tail -n1)
	newu=$(sed -n 's/^stat::new_units_added: *//p' "$work/fuzz.log" | tail -n1)
	rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$work/fuzz.log" | tail -n1)
	last=$(grep -E '^#[0-9]+.*cov: [0-9]+' "$work/fuzz.log" | tail -n1)
	cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last")
	ft=$(sed -n 's/.*ft: \([0-9]*\).*/\1/p' <<<"$last")
	corp=$(sed -n 's/.*corp: \([0-9]*\)\/.*/\1/p' <<<"$last")
	if [[ ${rate:-0} == 0 && -n ${execs:-} && $elapsed -gt 0 ]]; then
		rate=$((execs / elapsed)) # libFuzzer reports 0 when it stops in its first second
	fi
	summary="${execs:-?} execs in ${elapsed} s (${rate:-?}/s), cov ${cov:-?} ft ${ft:-?}, corpus ${corp:-?} (+${newu:-?} new), peak rss ${rss:-?} MB"

	if [ $rc -eq 0 ]; then
		echo "$t: ok   $summary"
		continue
	fi
	failed+=("$t")
	echo "$t: FAIL (exit $rc) $summary"
	found=0
	for f in "$work/artifacts"/*; do
		[ -e "$f" ] || continue
		found=1
		echo "   reproducer: $f"
		echo "   reproduce:  $bin $f"
	done
	[ $found = 1 ] || echo "   no reproducer written; log: $work/fuzz.log"
	# The report: from the first sanitizer/invariant line, bounded.
	awk '/^==[0-9]+==|runtime error:|fuzz invariant failed|ERROR: libFuzzer/{p=1} p' \
		"$work/fuzz.log" | head -n 80 | sed 's/^/   | /'
	echo "   full log: $work/fuzz.log"
done

end=$(date +%s)
echo "== fuzzing: $(wc -w <<<"$targets") targets x ${SECS} s, total $((end - start)) s (build $((built - start)) s)"
if [ ${#failed[@]} -gt 0 ]; then
	echo "== FAILED: ${failed[*]}"
	exit 1
fi
echo "== all targets ok"
