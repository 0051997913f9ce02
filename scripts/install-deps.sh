#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian packages oci-policyd needs to build, test and demo. Idempotent: packages
# already present are not fetched again, and apt's lists are refreshed only when something is
# missing. Usage: install-deps.sh [build|test|all] (default all).
set -euo pipefail

build_pkgs=(build-essential cmake pkg-config clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev
	libseccomp-dev libapparmor-dev libsystemd-dev libjson-c-dev libsqlite3-dev sqlite3)
test_pkgs=(podman crun runc conmon netavark aardvark-dns slirp4netns uidmap catatonit
	busybox-static iptables jq hyperfine python3 libclang-rt-14-dev procps iproute2 util-linux
	apparmor qemu-system-x86 qemu-utils debootstrap e2fsprogs)
# The comparative study (make eval, eval-quick): gVisor, the load drivers, the plots.
eval_pkgs=(runsc wrk redis-tools curl python3-matplotlib)

want=()
case "${1:-all}" in
build) want=("${build_pkgs[@]}") ;;
test | all) want=("${build_pkgs[@]}" "${test_pkgs[@]}" "${eval_pkgs[@]}") ;;
*)
	echo "usage: $0 [build|test|all]" >&2
	exit 2
	;;
esac

missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed' || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
	echo "install-deps: all ${#want[@]} packages present"
	exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
	echo "install-deps: missing ${missing[*]}; run as root to install them (try: sudo $0)" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# A third-party source that cannot be reached must not stop the install of Debian's packages.
apt-get update -qq || echo "install-deps: warning: apt-get update reported errors; trying the install anyway" >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}"
