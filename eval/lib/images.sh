# SPDX-License-Identifier: MIT
# Builds the comparative study's images locally (no registry). Sourced by eval/run.sh after
# `source scripts/podman-env.sh; podman_env_setup DIR`; every function is safe under
# `set -euo pipefail`, prints progress with timings on stderr and, on failure, one error line that
# names the failed step, then returns non-zero.
#
#   eval_image_busybox NAME [FILE...]      busybox-static image (make_busybox_image) with each FILE
#                                          in /bin and /var/www/index.html = wl_index_html
#   eval_image_services NAME WORKLOAD...   one Debian bookworm image for the WORKLOADs (nginx redis
#                                          postgresql python), configured as eval/lib/workloads.sh
#                                          runs them
#
# The services rootfs comes from debootstrap + apt-get in a chroot (about a minute) and is cached as
# a tarball: $EVAL_IMAGE_CACHE/services-KEY.tar (default /var/cache/policyd-eval), KEY a hash of
# the sorted package list, the mirror, the configuration script run in the chroot and this file.
# A cached build is a `podman import` only. The tarball is written to a temporary name and renamed;
# its last member is ./etc/policyd-eval-image, so a truncated or corrupt tarball fails `tar -t` or
# lacks that member, and is rebuilt. The mirror comes from /etc/apt/sources.list.d/debian.sources
# (or /etc/apt/sources.list); EVAL_DEBIAN_MIRROR overrides it.

_EVAL_IMAGES_SH=$(realpath "${BASH_SOURCE[0]}")
# shellcheck source=workloads.sh
declare -F wl_index_html >/dev/null || source "${_EVAL_IMAGES_SH%/*}/workloads.sh"

EVAL_IMAGE_CACHE=${EVAL_IMAGE_CACHE:-/var/cache/policyd-eval}
EVAL_DEBIAN_SUITE=bookworm
_EVAL_IMAGE_MARKER=etc/policyd-eval-image

_img_log() { echo "eval-images: $*" >&2; }

_img_now_us() {
	local t=$EPOCHREALTIME
	echo "${t//[.,]/}"
}

_img_since() { # START_US: seconds elapsed, one decimal
	local d=$(($(_img_now_us) - $1))
	echo "$((d / 1000000)).$((d / 100000 % 10)) s"
}

# --- busybox -----------------------------------------------------------------------------------

eval_image_busybox() {
	local name=${1:-} f page t0 rc=0
	[[ -n $name ]] || { _img_log "usage: eval_image_busybox NAME [FILE...]"; return 1; }
	shift
	[[ -n ${PODMAN_ENV_DIR:-} ]] || { _img_log "busybox image: call podman_env_setup first"; return 1; }
	declare -F make_busybox_image >/dev/null ||
		{ _img_log "busybox image: make_busybox_image missing (source scripts/podman-env.sh)"; return 1; }
	[[ -x /bin/busybox ]] || { _img_log "busybox image: /bin/busybox missing (busybox-static)"; return 1; }
	for f; do
		[[ -f $f && -r $f ]] || { _img_log "busybox image: no file '$f'"; return 1; }
		# /bin/NAME of an applet is a link to busybox: the copy would overwrite busybox itself.
		if [[ $'\n'$(/bin/busybox --list)$'\n' == *$'\n'"${f##*/}"$'\n'* ]]; then
			_img_log "busybox image: '${f##*/}' is a busybox applet name; rename $f"
			return 1
		fi
	done
	t0=$(_img_now_us)
	page=$(mktemp "$PODMAN_ENV_DIR/index.XXXXXX")
	wl_index_html >"$page"
	# make_busybox_image has no error handling of its own, and `set -e` is off inside any function
	# called from a condition: run it in a fresh shell with -e on, so a failed import is seen.
	bash -c "set -euo pipefail; $(declare -f make_busybox_image); PODMAN_ENV_DIR=\$1; shift
		make_busybox_image \"\$@\"" _ "$PODMAN_ENV_DIR" "$name" "$@" "$page=/var/www/index.html" ||
		rc=$?
	rm -f "$page"
	if ((rc != 0)); then
		_img_log "busybox image $name: make_busybox_image failed (exit $rc)"
		return 1
	fi
	_img_log "busybox image $name imported in $(_img_since "$t0")"
}

# --- services: configuration run inside the chroot --------------------------------------------

_img_packages() { # WORKLOAD: its Debian packages
	case $1 in
	nginx) echo nginx-light ;;
	redis) echo redis-server ;;
	postgresql) echo postgresql ;;
	python) echo python3 ;; # http.server is in the stdlib package, not in python3-minimal
	*) return 1 ;;
	esac
}

# The POSIX sh script configuring the image for container use, one part per workload; its text is
# part of the cache key.
_img_config_script() {
	local wl
	echo "# policyd-eval services image: $*"
	echo 'mkdir -p /srv/www'
	echo "cat >/srv/www/index.html <<'PAGE'"
	wl_index_html
	echo 'PAGE'
	echo 'chmod -R a+rX /srv/www'
	for wl; do
		"_img_config_$wl"
	done
	cat <<-'SH'
		# Keep the image small, it is imported on every run: apt's caches and lists, documentation,
		# message translations and locale sources (everything runs in C or C.UTF-8, built into libc).
		apt-get clean
		rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/debconf/*-old /var/log/apt/* \
			/var/log/dpkg.log /var/log/alternatives.log /usr/share/man/* /usr/share/info/* \
			/usr/share/locale/* /usr/share/i18n/* /tmp/* /var/tmp/*
		find /usr/share/doc -type f ! -name copyright -delete
		rm -f /usr/sbin/policy-rc.d
	SH
}

_img_config_nginx() {
	cat <<-'SH'
		# nginx: started as `nginx -e stderr -g 'daemon off;'`; no access log, so disk is no bottleneck.
		# Debian's tcp_nopush (TCP_CORK) is off: the page fits in one segment anyway, and under gVisor
		# (runsc 2022-12, host networking) every corked response waited ~44 ms: 358 vs 2250 req/s.
		rm -f /etc/nginx/sites-enabled/*
		cat >/etc/nginx/nginx.conf <<'CONF'
		user www-data;
		worker_processes 2;
		pid /run/nginx.pid;
		error_log stderr warn;
		events {
			worker_connections 1024;
		}
		http {
			include /etc/nginx/mime.types;
			default_type application/octet-stream;
			access_log off;
			sendfile on;
			tcp_nopush off;
			keepalive_timeout 65;
			server {
				listen 8080 default_server;
				root /srv/www;
				index index.html;
				location / {
					try_files $uri $uri/ =404;
				}
			}
		}
		CONF
		/usr/sbin/nginx -t -q -e stderr
	SH
}

_img_config_redis() {
	cat <<-'SH'
		# redis: every setting is on the command line (wl_command); it runs as user redis.
		id redis >/dev/null
		install -d -o redis -g redis -m 750 /var/lib/redis
	SH
}

_img_config_postgresql() {
	cat <<-'SH'
		# postgresql 15: one cluster in /var/lib/postgresql/data, not the package's "main" one.
		pg_dropcluster 15 main 2>/dev/null || rm -rf /etc/postgresql/15/main /var/lib/postgresql/15/main
		install -d -o postgres -g postgres -m 700 /var/lib/postgresql/data
		install -d -o postgres -g postgres -m 2775 /var/run/postgresql
		runuser -u postgres -- /usr/lib/postgresql/15/bin/initdb -D /var/lib/postgresql/data \
			-U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
		cat >>/var/lib/postgresql/data/postgresql.conf <<'CONF'
		# policyd-eval
		listen_addresses = '*'
		port = 5432
		unix_socket_directories = '/var/run/postgresql'
		# Commits do not wait for their WAL flush (the WAL writer still flushes within 200 ms), so
		# pgbench measures the server and the runtime rather than the VM disk's fsync latency.
		synchronous_commit = off
		jit = off
		CONF
		# JIT compilation (LLVM, z3 and the bitcode: 156 MB, a third of the image) only kicks in for
		# costly analytic queries, never for the benchmark's; off and removed, so imports stay fast.
		rm -rf /usr/lib/postgresql/15/lib/llvmjit* /usr/lib/postgresql/15/lib/bitcode \
			/usr/lib/x86_64-linux-gnu/libLLVM-* /usr/lib/x86_64-linux-gnu/libz3.so*
		cat >/var/lib/postgresql/data/pg_hba.conf <<'CONF'
		local all all trust
		host all all 0.0.0.0/0 trust
		host all all ::/0 trust
		CONF
		echo 'CREATE DATABASE bench;' | runuser -u postgres -- /usr/lib/postgresql/15/bin/postgres \
			--single -D /var/lib/postgresql/data postgres >/dev/null
		test -d /var/lib/postgresql/data/base
	SH
}

_img_config_python() {
	cat <<-'SH'
		# python: `python3 -m http.server 8000 --directory /srv/www` as root, nothing to configure.
		python3 -c 'import http.server'
	SH
}

# --- services: build and cache -----------------------------------------------------------------

_img_debian_mirror() {
	local mirror=
	if [[ -n ${EVAL_DEBIAN_MIRROR:-} ]]; then
		mirror=$EVAL_DEBIAN_MIRROR
	elif [[ -r /etc/apt/sources.list.d/debian.sources ]]; then
		# deb822: the first URI of a "deb" stanza whose Suites include the plain suite.
		mirror=$(awk -v suite="$EVAL_DEBIAN_SUITE" 'BEGIN { RS = "" }
			{
				deb = 0; ok = 0; uri = ""; n = split($0, line, "\n")
				for (i = 1; i <= n; i++) {
					k = split(line[i], w, /[ \t]+/)
					if (w[1] == "Types:") for (j = 2; j <= k; j++) if (w[j] == "deb") deb = 1
					if (w[1] == "Suites:") for (j = 2; j <= k; j++) if (w[j] == suite) ok = 1
					if (w[1] == "URIs:" && uri == "") uri = w[2]
				}
				if (deb && ok && uri != "") { print uri; exit }
			}' /etc/apt/sources.list.d/debian.sources)
	fi
	if [[ -z $mirror && -r /etc/apt/sources.list ]]; then
		mirror=$(awk -v suite="$EVAL_DEBIAN_SUITE" '$1 == "deb" {
				i = 2; if ($i ~ /^\[/) while ($i !~ /\]$/) i++
				if ($i ~ /^\[/ || $i ~ /\]$/) i++
				if ($(i + 1) == suite) { print $i; exit }
			}' /etc/apt/sources.list)
	fi
	[[ -n $mirror ]] || return 1
	echo "$mirror"
}

_img_cache_valid() { # TARBALL: a complete tarball ends with the marker member
	local last
	[[ -s $1 ]] || return 1
	last=$(tar -tf "$1" 2>/dev/null | tail -n 1) || return 1
	[[ $last == "./$_EVAL_IMAGE_MARKER" ]]
}

# _img_step STEP LOG CMD...: runs CMD with its output appended to LOG. On failure: the end of the
# log, then one error line naming the step.
_img_step() {
	local step=$1 log=$2 t0 rc=0
	shift 2
	t0=$(_img_now_us)
	echo "### $step: $*" >>"$log"
	"$@" >>"$log" 2>&1 </dev/null || rc=$?
	if ((rc != 0)); then
		tail -n 15 "$log" | sed 's/^/    /' >&2
		_img_log "ERROR: services image: step '$step' failed (exit $rc); full log: $log"
		return 1
	fi
	_img_log "  $step: $(_img_since "$t0")"
}

_img_chroot() { # ROOT CMD...: CMD in the chroot with a clean environment
	local root=$1
	shift
	chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C \
		DEBIAN_FRONTEND=noninteractive "$@"
}

# Everything below ROOT that is still mounted, deepest first.
_img_mounts_below() {
	findmnt -rn -o TARGET | awk -v r="$1/" 'index($0, r) == 1' | sort -r
}

_img_build_cleanup() { # TMPDIR: unmounts what the build mounted, then removes it
	local m t0
	t0=$(_img_now_us)
	for m in $(_img_mounts_below "$1"); do
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
	done
	if [[ -n $(_img_mounts_below "$1") ]]; then
		_img_log "warning: mounts left below $1; not removing it"
		return 0
	fi
	rm -rf "$1"
	_img_log "  remove the build directory: $(_img_since "$t0")"
}

# _img_build_tarball TARBALL KEY MIRROR SCRIPT PACKAGE...: the rootfs, as a complete tarball at
# TARBALL. Runs in a subshell of its caller: its EXIT trap cleans up whatever happens.
_img_build_tarball() {
	local tarball=$1 key=$2 mirror=$3 script=$4 tmp root log t0
	shift 4
	t0=$(_img_now_us)
	tmp=$(mktemp -d "$EVAL_IMAGE_CACHE/build.XXXXXX") || return 1
	# shellcheck disable=SC2064 # expand now: $tmp is local
	trap "_img_build_cleanup '$tmp'" EXIT
	trap 'exit 1' INT TERM HUP # so that the EXIT trap runs
	root=$tmp/root
	log=$EVAL_IMAGE_CACHE/services-$key.log
	: >"$log"
	_img_log "building the services rootfs ($*) from $mirror; log: $log"
	_img_step "debootstrap --variant=minbase $EVAL_DEBIAN_SUITE" "$log" \
		debootstrap --variant=minbase "$EVAL_DEBIAN_SUITE" "$root" "$mirror" || return 1
	# No service may start inside the chroot while packages are installed.
	{ printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d" && chmod 755 "$root/usr/sbin/policy-rc.d"; } ||
		{ _img_log "ERROR: services image: step 'policy-rc.d' failed"; return 1; }
	mount -t proc proc "$root/proc" ||
		{ _img_log "ERROR: services image: step 'mount /proc in the chroot' failed"; return 1; }
	# dpkg's fsync after every file makes the install disk-bound; a lost build is simply redone.
	echo force-unsafe-io >"$root/etc/dpkg/dpkg.cfg.d/policyd-eval-unsafe-io" ||
		{ _img_log "ERROR: services image: step 'dpkg unsafe-io' failed"; return 1; }
	_img_step "apt-get update" "$log" _img_chroot "$root" apt-get update || return 1
	_img_step "apt-get install $*" "$log" _img_chroot "$root" \
		apt-get install -y --no-install-recommends "$@" || return 1
	rm -f "$root/etc/dpkg/dpkg.cfg.d/policyd-eval-unsafe-io"
	_img_step "configure for container use" "$log" _img_chroot "$root" /bin/sh -eu -c "$script" ||
		return 1
	umount "$root/proc" ||
		{ _img_log "ERROR: services image: step 'unmount /proc in the chroot' failed"; return 1; }
	printf 'key %s\npackages %s\nmirror %s\nbuilt %s\n' "$key" "$*" "$mirror" \
		"$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$root/$_EVAL_IMAGE_MARKER"
	# The marker goes in last: a tarball without it at the end is incomplete.
	_img_step "tar the rootfs" "$log" tar -C "$root" --numeric-owner \
		--exclude="./$_EVAL_IMAGE_MARKER" --exclude='./dev/*' --exclude='./proc/*' \
		--exclude='./sys/*' -cf "$tmp/rootfs.tar" . || return 1
	_img_step "append the marker and sync" "$log" _img_finish_tar "$root" "$tmp/rootfs.tar" ||
		return 1
	mv -f "$tmp/rootfs.tar" "$tarball" ||
		{ _img_log "ERROR: services image: step 'rename into the cache' failed"; return 1; }
	_img_log "services rootfs built in $(_img_since "$t0"): $tarball ($(du -h "$tarball" | cut -f1))"
}

_img_finish_tar() { # ROOT TAR
	tar -C "$1" --numeric-owner -rf "$2" "./$_EVAL_IMAGE_MARKER" && sync "$2"
}

eval_image_services() {
	local name=${1:-} wl pkg pkgs=() wls=() mirror script key tarball t0 rc=0
	[[ -n $name && $# -ge 2 ]] ||
		{ _img_log "usage: eval_image_services NAME WORKLOAD... (nginx redis postgresql python)"; return 1; }
	shift
	for wl in $(printf '%s\n' "$@" | sort -u); do
		pkg=$(_img_packages "$wl") || { _img_log "services image: unknown workload '$wl'"; return 1; }
		pkgs+=("$pkg")
		wls+=("$wl")
	done
	mapfile -t pkgs < <(printf '%s\n' "${pkgs[@]}" | sort -u)
	mirror=$(_img_debian_mirror) ||
		{ _img_log "ERROR: services image: step 'find the Debian mirror' failed (set EVAL_DEBIAN_MIRROR)"; return 1; }
	script=$(_img_config_script "${wls[@]}")
	key=$({
		printf '%s\n' "${pkgs[@]}" "$EVAL_DEBIAN_SUITE" "$mirror" "$script"
		cat "$_EVAL_IMAGES_SH"
	} | sha256sum | cut -c1-16)
	tarball=$EVAL_IMAGE_CACHE/services-$key.tar
	mkdir -p "$EVAL_IMAGE_CACHE" ||
		{ _img_log "ERROR: services image: step 'create $EVAL_IMAGE_CACHE' failed"; return 1; }

	t0=$(_img_now_us)
	# One builder per key at a time; the second waits, then finds the cache valid.
	(
		if ! flock -n 9; then
			_img_log "waiting for another build of $tarball"
			flock 9 || exit 1
		fi
		if _img_cache_valid "$tarball"; then
			_img_log "services rootfs cached: $tarball (checked in $(_img_since "$t0"))"
			exit 0
		fi
		[[ ! -e $tarball ]] || _img_log "cached $tarball is incomplete or corrupt: rebuilding"
		rm -f "$tarball"
		_img_build_tarball "$tarball" "$key" "$mirror" "$script" "${pkgs[@]}"
	) 9>"$tarball.lock" || rc=$?
	((rc == 0)) || return 1

	t0=$(_img_now_us)
	podman import -q "$tarball" "$name" >/dev/null ||
		{ _img_log "ERROR: services image: step 'podman import $tarball' failed"; return 1; }
	_img_log "services image $name (${wls[*]}) imported in $(_img_since "$t0")"
}
