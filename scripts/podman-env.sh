# SPDX-License-Identifier: MIT
# Sourced by the tests, the demo and the benchmarks: a private Podman environment under one
# directory, so nothing touches the host's own containers, images or configuration.
#
#   podman_env_setup DIR   containers.conf + storage.conf under DIR, exported for podman.
#                          Keep DIR short (/tmp/xxx.XXXXXX): conmon's sockets live below it
#                          and a path over 108 bytes stalls every run for 20 s;
#                          mounts the hugetlb cgroup-v1 hierarchy crun needs on hybrid hosts
#   podman_env_teardown    removes the containers and images, unmounts what setup mounted
#   make_busybox_image NAME [FILE|SRC=DEST...]   imports a busybox-static image (seconds, no
#                          registry), with each FILE copied into its /bin and each SRC to DEST

PODMAN_ENV_DIR=
PODMAN_ENV_MOUNTED_HUGETLB=0

podman_env_setup() {
	PODMAN_ENV_DIR=$1
	mkdir -p "$PODMAN_ENV_DIR"
	# Root without CAP_SYS_RESOURCE cannot raise nofile past its hard limit, and Podman lowers
	# its own nproc limit: without explicit ulimits every run fails in setrlimit (HOST-NOTES).
	local nofile
	nofile=$(ulimit -Hn)
	[[ $nofile == unlimited ]] && nofile=1048576
	cat >"$PODMAN_ENV_DIR/containers.conf" <<-CONF
		[containers]
		default_ulimits = ["nofile=$nofile:$nofile", "nproc=32768:32768"]
		[network]
		network_backend = "netavark"
		[engine]
		events_logger = "file"
		# Podman's own temporary state (exit files, events) stays private too.
		tmp_dir = "$PODMAN_ENV_DIR/tmp"
	CONF
	cat >"$PODMAN_ENV_DIR/storage.conf" <<-CONF
		[storage]
		driver = "overlay"
		graphroot = "$PODMAN_ENV_DIR/storage"
		runroot = "$PODMAN_ENV_DIR/runroot"
	CONF
	export CONTAINERS_CONF=$PODMAN_ENV_DIR/containers.conf
	export CONTAINERS_STORAGE_CONF=$PODMAN_ENV_DIR/storage.conf

	# crun refuses a hybrid cgroup layout whose hugetlb controller sits on cgroup2; giving
	# hugetlb its own v1 hierarchy fixes that. Only on hybrid hosts, only if not there yet.
	if [[ -d /sys/fs/cgroup/unified ]] && ! mountpoint -q /sys/fs/cgroup/hugetlb &&
		grep -qw hugetlb /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null; then
		mkdir -p /sys/fs/cgroup/hugetlb
		if mount -t cgroup -o hugetlb cgroup /sys/fs/cgroup/hugetlb 2>/dev/null; then
			PODMAN_ENV_MOUNTED_HUGETLB=1
		fi
	fi
}

podman_env_teardown() {
	[[ -n $PODMAN_ENV_DIR ]] || return 0
	podman rm -af -t 0 >/dev/null 2>&1 || true
	podman rmi -af >/dev/null 2>&1 || true
	# Anything c/storage left mounted under our directory.
	{ findmnt -rn -o TARGET | grep -F "$PODMAN_ENV_DIR/" | sort -r || true; } | while read -r m; do
		umount -l "$m" 2>/dev/null || true
	done
	if [[ $PODMAN_ENV_MOUNTED_HUGETLB == 1 ]]; then
		umount /sys/fs/cgroup/hugetlb 2>/dev/null && rmdir /sys/fs/cgroup/hugetlb 2>/dev/null
		PODMAN_ENV_MOUNTED_HUGETLB=0
	fi
	rm -rf "$PODMAN_ENV_DIR"
	PODMAN_ENV_DIR=
	return 0 # best effort: a teardown step that fails must not fail the caller
}

make_busybox_image() {
	local name=$1 root extra
	shift
	root=$(mktemp -d "$PODMAN_ENV_DIR/rootfs.XXXXXX")
	mkdir -p "$root"/{bin,etc,tmp,proc,sys,dev,root,var/www}
	cp /bin/busybox "$root/bin/busybox"
	local applet
	for applet in $("$root/bin/busybox" --list); do
		[[ $applet == busybox ]] || ln -s busybox "$root/bin/$applet"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' >"$root/etc/passwd"
	printf 'root:x:0:\nnobody:x:65534:\n' >"$root/etc/group"
	echo '<h1>hello from oci-policyd</h1>' >"$root/var/www/index.html"
	for extra in "$@"; do
		if [[ $extra == *=* ]]; then
			mkdir -p "$root$(dirname "${extra#*=}")"
			cp "${extra%%=*}" "$root${extra#*=}"
		else
			cp "$extra" "$root/bin/"
		fi
	done
	tar -C "$root" -c . | podman import -q - "$name" >/dev/null
	rm -rf "$root"
}
