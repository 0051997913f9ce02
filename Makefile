# SPDX-License-Identifier: MIT
# The two commands of the README, and the targets behind them. Run as root on Debian 12:
#   make demo    install what is needed, build, learn a real container under Podman, show it
#   make check   install what is needed, build (plain and with ASan/UBSan), run every test
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
CMAKE_ARGS ?=

.PHONY: all deps build build-asan demo demo-installed check unit integration check-asan bench-start bench-tracer \
	bench-enforce bench-load eval eval-quick deb fuzz fuzz-smoke clean help

all: build

help:
	@echo "make demo | check | build | unit | integration | check-asan | bench-start | bench-tracer | bench-enforce | bench-load | eval | eval-quick | deb | clean"

deps:
	bash scripts/install-deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_ARGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)

$(ASAN_BUILD)/CMakeCache.txt:
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DPOLICYD_SANITIZE=ON $(CMAKE_ARGS)

build-asan: deps $(ASAN_BUILD)/CMakeCache.txt
	cmake --build $(ASAN_BUILD) -j$(JOBS)

demo: build
	bash scripts/demo.sh $(BUILD)

# The same demo against the installed package (its binaries, hooks.d and socket).
demo-installed:
	bash scripts/demo.sh --installed

unit: build
	ctest --test-dir $(BUILD) -L unit --output-on-failure

integration: build
	ctest --test-dir $(BUILD) -L integration --output-on-failure

# The same tests against binaries built with AddressSanitizer and UndefinedBehaviorSanitizer
# (leak checking on): the daemon, the hooks run by Podman and the CLI.
check-asan: build-asan
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --test-dir $(ASAN_BUILD) --output-on-failure

# libFuzzer targets (tests/fuzz): a bounded smoke run here, long runs with `make fuzz`.
fuzz-smoke: deps
	bash tests/fuzz/run.sh 12

fuzz: deps
	FUZZ_KEEP_CORPUS=1 bash tests/fuzz/run.sh 600

check: build build-asan
	ctest --test-dir $(BUILD) --output-on-failure
	$(MAKE) --no-print-directory check-asan
	$(MAKE) --no-print-directory fuzz-smoke
	$(MAKE) --no-print-directory eval-quick

bench-start: build
	bash eval/bench/start.sh $(BUILD)

bench-tracer: build
	bash eval/bench/tracer.sh $(BUILD)

bench-enforce: build
	bash eval/bench/enforce.sh $(BUILD)

bench-load: build
	bash eval/bench/load.sh $(BUILD)

# The comparative study (docs/evaluation.md): runc/crun default, runc/crun + oci-policyd, gVisor.
# eval: every workload and metric, eval/results/RUN_ID.json + RUN_ID/report.md with plots (< 30 min).
# eval-quick: busybox + redis, fewer repeats, into $(BUILD)/eval-quick; checks its own output.
eval: build
	bash eval/run.sh --build $(BUILD)

eval-quick: build
	bash eval/run.sh --quick --build $(BUILD) --out $(BUILD)/eval-quick

# A Debian package built with dpkg-buildpackage from a copy of the tree (packaging/debian is
# put in place as debian/); the .deb lands in $(BUILD)/deb/.
deb: deps
	bash scripts/make-deb.sh $(BUILD)/deb

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz
