#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Run a command in a crun container confined by a real AppArmor profile, inside a
# software-emulated QEMU VM (the CI host's kernel has no AppArmor).
#
#   apparmor-vm.sh prepare                              build + cache kernel, initrd, disk image
#   apparmor-vm.sh run PROFILE_FILE PROFILE_NAME -- CMD...
#
# `run` prints only the guest's test output (AA_ENABLED=, AA_LOAD=, the container's
# stdout/stderr, EXIT=, AUDIT: lines with AppArmor denials) and exits 0 when the VM ran the
# test, non-zero with a one-line reason otherwise. See tests/vm/README.md.
set -euo pipefail

CACHE=${POLICYD_VM_CACHE:-/var/cache/policyd-test-vm}
TIMEOUT=${POLICYD_VM_TIMEOUT:-300}   # hard limit for one VM run, seconds
# POLICYD_VM_APPEND: extra kernel parameters (e.g. "loglevel=7" to undo "quiet" when debugging)
STAMP_VERSION=2   # bump when the image layout changes: forces a rebuild
BEGIN_MARK='=====POLICYD-TEST-BEGIN====='
END_MARK='=====POLICYD-TEST-END====='
GUEST_PKGS=(apparmor crun busybox-static initramfs-tools zstd)

log() { echo "apparmor-vm: $*" >&2; }
die() { echo "apparmor-vm: error: $*" >&2; exit 1; }

usage() {
    echo "usage: $0 prepare | run PROFILE_FILE PROFILE_NAME -- CMD..." >&2
    exit 2
}

# The Debian mirror for bookworm, taken from the deb822 files in /etc/apt/sources.list.d/
# (the paragraph whose Suites has plain "bookworm", i.e. not bookworm-security).
find_mirror() {
    [[ -n ${POLICYD_VM_MIRROR:-} ]] && { echo "$POLICYD_VM_MIRROR"; return; }
    local m
    m=$(awk 'BEGIN{RS=""} /(^|\n)Suites:([^\n]* )?bookworm( |\n|$)/ {
                 if (match($0, /URIs: *[^ \n]+/)) { s = substr($0, RSTART, RLENGTH);
                     sub(/URIs: */, "", s); print s; exit } }' \
        /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
    [[ -n $m ]] || m=$(sed -n 's/^deb \(\[[^]]*\] \)\?\([^ ]*\) bookworm .*/\2/p' \
        /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -n1 || true)
    [[ -n $m ]] || die "no bookworm mirror found in /etc/apt/sources.list.d/"
    echo "$m"
}

# Host tools; apt-get update only when something is actually missing.
ensure_host_pkgs() {
    local p missing=()
    for p in qemu-system-x86 qemu-utils debootstrap e2fsprogs jq coreutils; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
    done
    ((${#missing[@]} == 0)) && return 0
    log "installing host packages: ${missing[*]}"
    mkdir -p "$CACHE"
    { apt-get update && DEBIAN_FRONTEND=noninteractive \
        apt-get install -y --no-install-recommends "${missing[@]}"; } >"$CACHE/host-apt.log" 2>&1 \
        || die "host apt-get failed, see $CACHE/host-apt.log"
}

ready() { [[ -f $CACHE/disk.img && $(cat "$CACHE/ready" 2>/dev/null) == "$STAMP_VERSION" ]]; }

# The guest's PID 1: mount what apparmor_parser and crun need, pick up the per-run job
# disk (/dev/vdb), run test.sh, print its output between markers and power off.
write_init() {
    cat >"$1" <<EOF
#!/bin/sh
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mountpoint -q /proc || mount -t proc proc /proc
mountpoint -q /sys || mount -t sysfs sysfs /sys
mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
mount -t securityfs securityfs /sys/kernel/security
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
# Only alerts on the console: audit records (AppArmor denials) stay in dmesg.
echo 1 >/proc/sys/kernel/printk
mkdir -p /policyd-test/job
if mount -o ro /dev/vdb /policyd-test/job; then
    for f in /policyd-test/job/*; do [ -f "\$f" ] && cp "\$f" /policyd-test/; done
    sh /policyd-test/test.sh >/tmp/out 2>&1
else
    echo "INIT: cannot mount job disk /dev/vdb" >/tmp/out
fi
echo "$BEGIN_MARK"
cat /tmp/out
echo "$END_MARK"
sync
echo o >/proc/sysrq-trigger
sleep 30
EOF
    chmod 755 "$1"
}

cmd_prepare() {
    ready && return 0
    [[ $(id -u) == 0 ]] || die "prepare must run as root (apt-get, debootstrap, chroot)"
    ensure_host_pkgs
    mkdir -p "$CACHE"
    # One builder at a time; a second caller waits and then finds the cache ready.
    exec 9>"$CACHE/.lock"
    flock 9
    ready && return 0
    local t0=$SECONDS mirror build
    mirror=$(find_mirror)
    build=$CACHE/build
    root=$build/rootfs   # global: the EXIT trap needs it after this function returns
    rm -rf "$build" && mkdir -p "$build"
    trap 'umount -l "$root/proc" "$root/sys/fs/cgroup" 2>/dev/null || true' EXIT

    log "debootstrap bookworm from $mirror"
    debootstrap --variant=minbase bookworm "$root" "$mirror" >"$build/debootstrap.log" 2>&1 \
        || die "debootstrap failed, see $build/debootstrap.log"
    # Nothing may start services inside the chroot.
    printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
    chmod 755 "$root/usr/sbin/policy-rc.d"
    mount -t proc proc "$root/proc"
    local apt=(chroot "$root" env DEBIAN_FRONTEND=noninteractive
               apt-get install -y -qq --no-install-recommends)

    log "installing ${GUEST_PKGS[*]} in the rootfs"
    "${apt[@]}" "${GUEST_PKGS[@]}" >"$build/apt.log" 2>&1 \
        || die "apt-get in chroot failed, see $build/apt.log"
    # Small initrd (faster under TCG) that still has what root=/dev/vda on ext4 needs.
    printf 'virtio_pci\nvirtio_blk\next4\n' >>"$root/etc/initramfs-tools/modules"
    echo 'MODULES=list' >"$root/etc/initramfs-tools/conf.d/policyd-vm"
    log "installing linux-image-amd64 in the rootfs"
    "${apt[@]}" linux-image-amd64 >>"$build/apt.log" 2>&1 \
        || die "kernel install failed, see $build/apt.log"
    chroot "$root" apt-get clean

    local kernels=("$root"/boot/vmlinuz-*) vmlinuz initrd
    vmlinuz=${kernels[0]}
    initrd=$root/boot/initrd.img-${vmlinuz##*/vmlinuz-}
    [[ -f $initrd ]] || die "no initrd generated for $vmlinuz"
    # (grep without -q: an early exit would fail the pipeline through pipefail)
    chroot "$root" lsinitramfs "/boot/${initrd##*/}" | grep virtio_blk >/dev/null \
        || die "initrd lacks virtio_blk"

    # The OCI bundle: busybox-static with applet links, /allowed and /secret.
    local pt=$root/policyd-test b=$root/policyd-test/bundle
    mkdir -p "$b/rootfs"/{bin,dev,proc,sys,tmp,etc}
    cp "$root/bin/busybox" "$b/rootfs/bin/busybox"
    local a
    for a in $(chroot "$root" /bin/busybox --list); do
        [[ $a == busybox ]] || ln -s busybox "$b/rootfs/bin/$a"
    done
    echo 'allowed-content' >"$b/rootfs/allowed"
    echo 'secret-content' >"$b/rootfs/secret"
    # crun's default spec, minus the terminal and the network namespace. `run` fills in
    # process.args and process.apparmorProfile (host side, with jq).
    # crun spec looks at /sys/fs/cgroup: show it cgroup2, the layout the guest uses.
    mkdir -p "$root/sys/fs/cgroup"
    mount -t cgroup2 cgroup2 "$root/sys/fs/cgroup"
    chroot "$root" sh -c 'cd /policyd-test/bundle && crun spec'
    umount "$root/sys/fs/cgroup" && rm -rf "$root/sys/fs"
    jq '.process.terminal = false
        | .linux.namespaces |= map(select(.type != "network"))' \
        "$b/config.json" >"$CACHE/config.template.json"
    rm "$b/config.json"
    write_init "$pt/init.sh"
    umount "$root/proc"   # crun (re-exec through memfd) and lsinitramfs needed it until here

    log "building ext4 image"
    cp "$vmlinuz" "$CACHE/vmlinuz"
    cp "$initrd" "$CACHE/initrd.img"
    rm -f "$CACHE/disk.img.tmp"
    mkfs.ext4 -q -F -L policyd-root -d "$root" "$CACHE/disk.img.tmp" 1536M >/dev/null
    chmod 444 "$CACHE/disk.img.tmp"   # runs only ever write to qcow2 overlays
    mv -f "$CACHE/disk.img.tmp" "$CACHE/disk.img"
    rm -rf "$build"
    trap - EXIT
    echo "$STAMP_VERSION" >"$CACHE/ready"
    log "prepared in $((SECONDS - t0)) s: $CACHE"
}

# Test script run by init.sh inside the VM (a. AppArmor on? b. load profile c. run crun).
write_test_sh() {
    cat >"$1" <<'EOF'
#!/bin/sh
echo "AA_ENABLED=$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null || echo N)"
if msg=$(apparmor_parser -r -W /policyd-test/profile 2>&1); then
    echo "AA_LOAD=ok"
else
    echo "AA_LOAD=fail: $(echo "$msg" | tr '\n' ' ')"
fi
cp /policyd-test/config.json /policyd-test/bundle/config.json
# The container's stdout is a pipe: AppArmor would revalidate an inherited fd on a file
# outside the container (e.g. /tmp/out) against the profile and could silently close it.
{ timeout -k 5 120 crun run --bundle /policyd-test/bundle policyd-test </dev/null 2>&1
  echo "EXIT=$?"; } | cat
# AppArmor denials (kernel audit records) seen during the run.
dmesg | grep 'apparmor="DENIED"' | sed 's/^\[[^]]*\] *\(audit: \)\?/AUDIT: /'
EOF
}

cmd_run() {
    if (($# < 4)) || [[ $3 != -- ]]; then usage; fi
    local profile=$1 name=$2
    shift 3
    [[ -r $profile ]] || die "cannot read profile file $profile"
    cmd_prepare
    local log rc=0 args
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/policyd-vm.XXXXXX")   # global: used by the EXIT trap
    trap 'rm -rf "$tmp"' EXIT
    log=$tmp/console.log

    # Per-run files go on a small second disk (seen as /dev/vdb; init.sh copies them to
    # /policyd-test/), and the root disk is a qcow2 overlay: the cached image is never
    # written, nothing big is copied, and parallel runs do not interfere.
    mkdir "$tmp/job"
    cp "$profile" "$tmp/job/profile"
    write_test_sh "$tmp/job/test.sh"
    # JSON array of CMD; one --arg per word because jq would parse a "-c" in --args itself.
    args=$(for a in "$@"; do jq -n --arg a "$a" '$a'; done | jq -cs .)
    jq --arg p "$name" --argjson a "$args" '.process.apparmorProfile = $p | .process.args = $a' \
        "$CACHE/config.template.json" >"$tmp/job/config.json"
    mkfs.ext4 -q -F -d "$tmp/job" "$tmp/job.img" 8M >/dev/null
    qemu-img create -q -f qcow2 -b "$CACHE/disk.img" -F raw "$tmp/root.qcow2"

    timeout -k 10 "$TIMEOUT" qemu-system-x86_64 -accel tcg -cpu max -m 1536 \
        -nographic -no-reboot -nic none \
        -kernel "$CACHE/vmlinuz" -initrd "$CACHE/initrd.img" \
        -drive "file=$tmp/root.qcow2,format=qcow2,if=virtio" \
        -drive "file=$tmp/job.img,format=raw,if=virtio" \
        -append "console=ttyS0 root=/dev/vda rw apparmor=1 security=apparmor init=/policyd-test/init.sh panic=-1 quiet ${POLICYD_VM_APPEND:-}" \
        </dev/null >"$log" 2>&1 || rc=$?

    # Markers unanchored at line start: the first one can follow the firmware's escape codes.
    if tr -d '\r' <"$log" | grep "$END_MARK\$" >/dev/null; then
        tr -d '\r' <"$log" | sed -n "/$BEGIN_MARK\$/,/$END_MARK\$/{//!p}"
        return 0
    fi
    local keep
    keep=$(mktemp "${TMPDIR:-/tmp}/policyd-vm-console.XXXXXX.log")
    cp "$log" "$keep"
    if ((rc == 124 || rc == 137)); then
        die "VM timed out after ${TIMEOUT}s without test output; console log: $keep"
    fi
    die "VM exited ($rc) without test output; console log: $keep"
}

(($# >= 1)) || usage
case $1 in
    prepare) shift; (($# == 0)) || usage; cmd_prepare ;;
    run) shift; cmd_run "$@" ;;
    *) usage ;;
esac
