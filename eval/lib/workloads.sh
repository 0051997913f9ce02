# SPDX-License-Identifier: MIT
# The comparative study's workloads: how each one runs in a container, how a user checks it works,
# how it is loaded and how it is exercised while policyd learns it. Sourced by eval/run.sh.
#
# NAME is one of: busybox nginx redis postgresql python. PORT is the host port the caller maps with
# `-p 127.0.0.1:PORT:$(wl_cport NAME)`. Every function is safe under `set -euo pipefail`.
#
#   wl_image NAME              image name (eval/lib/images.sh builds it)
#   wl_cport NAME              port the service listens on inside the container
#   wl_podman_opts NAME        extra `podman run` arguments, one per line (none: no output)
#   wl_command NAME            the container's command, one argument per line; an empty line is an
#                              empty argument, so read it with `mapfile -t`
#   wl_wait_ready NAME PORT [TIMEOUT_S]   0 once the service answers (polls every 0.1 s, default
#                              60 s: gVisor starts slowly), 1 on timeout
#   wl_check NAME PORT         the functional check, in the real protocol; prints one line of detail
#                              on stdout, returns 0 or 1
#   wl_load NAME PORT SECONDS  runs the load driver, prints ONE number on stdout (wl_load_unit); on
#                              failure prints nothing on stdout and returns non-zero
#   wl_load_unit NAME          req/s, ops/s or tps
#   wl_load_desc NAME          one line: the driver and its parameters, for the report
#   wl_exercise NAME PORT      what policyd must see while learning: check, a 3 s load and the
#                              workload's other normal operations; progress on stderr; 0 or 1
#   wl_index_html              the page busybox, nginx and python serve (images.sh bakes it in)
#
# Host tools: curl, wrk, redis-cli and redis-benchmark (redis-tools), timeout. psql and pgbench run
# from the services image in a throwaway `--network host` container with no hooks, so a fresh host
# needs no PostgreSQL client and policyd never sees the driver.

WL_NAMES=(busybox nginx redis postgresql python)
WL_BUSYBOX_IMAGE=${WL_BUSYBOX_IMAGE:-localhost/eval-busybox}
WL_SERVICES_IMAGE=${WL_SERVICES_IMAGE:-localhost/eval-services}
# A hooks directory that does not exist: Podman then runs no hooks at all for the driver containers.
WL_NO_HOOKS_DIR=${WL_NO_HOOKS_DIR:-/nonexistent/policyd-eval-no-hooks}
WL_PG_BIN=/usr/lib/postgresql/15/bin

_wl_err() { echo "workloads: $*" >&2; }

_wl_unknown() {
	_wl_err "unknown workload '${1:-}' (known: ${WL_NAMES[*]})"
	return 1
}

_wl_args() { # NAME PORT: a known workload and a port number
	wl_cport "${1:-}" >/dev/null || return 1
	[[ ${2:-} =~ ^[1-9][0-9]{0,4}$ ]] || { _wl_err "bad port '${2:-}'"; return 1; }
}

wl_index_html() {
	echo '<h1>hello from oci-policyd</h1>'
	# Some bytes after the known line, so a response is the size of a small real page (~1 KiB).
	local i
	for i in 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16; do
		echo "<p>$i: padding so the page is about one KiB, like a small static page.</p>"
	done
}

wl_image() {
	case ${1:-} in
	busybox) echo "$WL_BUSYBOX_IMAGE" ;;
	nginx | redis | postgresql | python) echo "$WL_SERVICES_IMAGE" ;;
	*) _wl_unknown "${1:-}" ;;
	esac
}

wl_cport() {
	case ${1:-} in
	busybox | nginx) echo 8080 ;;
	redis) echo 6379 ;;
	postgresql) echo 5432 ;;
	python) echo 8000 ;;
	*) _wl_unknown "${1:-}" ;;
	esac
}

wl_podman_opts() {
	case ${1:-} in
	# busybox httpd and python run as pid 1 without a SIGTERM handler, so the kernel drops
	# SIGTERM and `podman stop` would wait its 10 s: stop them with SIGKILL straight away.
	busybox | python) echo --stop-signal=SIGKILL ;;
	nginx) ;; # master as root, workers drop to www-data (nginx.conf)
	redis) printf '%s\n' --user redis --workdir /var/lib/redis ;;
	# SIGINT is PostgreSQL's "fast" shutdown: no waiting for clients to leave.
	postgresql) printf '%s\n' --user postgres --stop-signal=SIGINT ;;
	*) _wl_unknown "${1:-}" ;;
	esac
}

wl_command() {
	case ${1:-} in
	busybox) printf '%s\n' httpd -f -p 8080 -h /var/www ;;
	nginx) printf '%s\n' /usr/sbin/nginx -e stderr -g 'daemon off;' ;;
	redis) printf '%s\n' /usr/bin/redis-server --port 6379 --bind 0.0.0.0 --protected-mode no \
		--save '' --appendonly no ;;
	postgresql) printf '%s\n' "$WL_PG_BIN/postgres" -D /var/lib/postgresql/data ;;
	python) printf '%s\n' /usr/bin/python3 -m http.server 8000 --directory /srv/www ;;
	*) _wl_unknown "${1:-}" ;;
	esac
}

wl_load_unit() {
	case ${1:-} in
	busybox | nginx | python) echo req/s ;;
	redis) echo ops/s ;;
	postgresql) echo tps ;;
	*) _wl_unknown "${1:-}" ;;
	esac
}

# wrk threads and connections per HTTP workload. busybox httpd forks per connection and closes it
# after each response; python's http.server handles one request at a time; nginx has 2 workers.
_wl_wrk_params() {
	case $1 in
	busybox) echo "1 4" ;;
	nginx) echo "2 16" ;;
	python) echo "1 1" ;;
	esac
}

wl_load_desc() {
	local p
	case ${1:-} in
	busybox | nginx | python)
		p=$(_wl_wrk_params "$1")
		echo "wrk -t${p% *} -c${p#* } -d SECONDS GET / (keep-alive where the server allows it)"
		;;
	redis) echo "redis-benchmark -t set,get -c 50 -n sized for ~SECONDS s after a 10000-request" \
		"calibration, --csv; mean of the SET and GET rps" ;;
	postgresql) echo "pgbench -i -s 1, then pgbench -N (simple-update TPC-B-like) -c 4 -j 2" \
		"-T SECONDS against database bench; pgbench 15 from the services image" ;;
	*) _wl_unknown "${1:-}" ;;
	esac
}

# --- helpers -----------------------------------------------------------------------------------

_wl_now_us() {
	local t=$EPOCHREALTIME
	echo "${t//[.,]/}"
}

# _wl_pg_tool TOOL ARG...: runs PostgreSQL's TOOL (psql, pgbench) from the services image on the
# host network, stdin passed through. No hooks: policyd must not see the driver. The server's
# NOTICEs (e.g. pgbench -i: "table ... does not exist, skipping") are not wanted.
_wl_pg_tool() {
	local tool=$1
	shift
	podman --hooks-dir "$WL_NO_HOOKS_DIR" run --rm -i --network host --pull never \
		--log-driver none -e PGOPTIONS='-c client_min_messages=warning' "$WL_SERVICES_IMAGE" \
		"$WL_PG_BIN/$tool" "$@"
}

# PostgreSQL's wire protocol by hand (no client on the host needed): a v3 StartupMessage for user
# postgres, database bench; 'R' (authentication) back means the server accepts connections, 'E'
# means it is still starting up. Then a Terminate message, so the server logs nothing.
_wl_pg_ping() {
	# shellcheck disable=SC2016 # expanded by the inner bash
	timeout 3 bash -c '
		exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
		printf "\0\0\0\046\0\3\0\0user\0postgres\0database\0bench\0\0" >&3
		IFS= read -r -N 1 -t 2 -u 3 c || exit 1
		printf "X\0\0\0\4" >&3
		[[ $c == R ]]' _ "$1" 2>/dev/null
}

_wl_redis() {
	timeout 10 redis-cli -h 127.0.0.1 -p "$1" "${@:2}"
}

_wl_ready_once() {
	local name=$1 port=$2 out
	case $name in
	busybox | nginx | python)
		curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$port/" 2>/dev/null
		;;
	redis)
		out=$(timeout 3 redis-cli -h 127.0.0.1 -p "$port" PING 2>/dev/null) || return 1
		[[ $out == PONG ]]
		;;
	postgresql) _wl_pg_ping "$port" ;;
	esac
}

wl_wait_ready() {
	local name=${1:-} port=${2:-} timeout_s=${3:-60} deadline
	_wl_args "$name" "$port" || return 1
	[[ $timeout_s =~ ^[1-9][0-9]*$ ]] || { _wl_err "bad timeout '$timeout_s'"; return 1; }
	deadline=$(($(_wl_now_us) + timeout_s * 1000000))
	while true; do
		_wl_ready_once "$name" "$port" && return 0
		(($(_wl_now_us) < deadline)) || break
		sleep 0.1
	done
	_wl_err "$name on 127.0.0.1:$port not ready after ${timeout_s} s"
	return 1
}

# --- functional checks -------------------------------------------------------------------------

# A client that connects first and sends its request later, as browsers that preconnect and slow
# networks do; prints the response. A server must wait for the request: busybox httpd under gVisor
# with host networking does not (read(2) on its blocking socket fails with EAGAIN), it closes the
# connection without an answer. Quick clients only hit that race now and then.
_wl_http_slow_get() {
	# shellcheck disable=SC2016 # expanded by the inner bash
	timeout 10 bash -c '
		exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
		sleep 0.3
		printf "GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" >&3
		cat <&3' _ "$1" 2>/dev/null
}

# The slow client's request, then ten quick ones, each on its own connection.
_wl_check_http() {
	local port=$1 n=10 i body resp slow='' out code size err bad=0 what='' good=''
	resp=$(_wl_http_slow_get "$port") || true
	if [[ -z $resp ]]; then
		slow="no answer (connection closed)"
	elif [[ ${resp%%$'\r'*} != "HTTP/1."[01]" 200 "* || ${resp#*$'\r\n\r\n'} != "$(wl_index_html)" ]]; then
		slow="'${resp%%$'\r'*}' and not the page"
	fi
	body=$(mktemp)
	for ((i = 0; i < n; i++)); do
		: >"$body"
		out=$(curl -s --max-time 10 -o "$body" -w '%{http_code} %{size_download} %{errormsg}' \
			"http://127.0.0.1:$port/") || true
		read -r code size err <<<"$out"
		if [[ $code == 200 ]] && cmp -s "$body" <(wl_index_html); then
			good="$code, $size bytes, page as expected"
		else
			bad=$((bad + 1))
			[[ -n $what ]] || what=${err:-"$code, $size bytes, page NOT as expected"}
		fi
	done
	rm -f "$body"
	if [[ -z $slow ]] && ((bad == 0)); then
		echo "GET / from a slow client and x$n: $good"
		return 0
	fi
	out=${slow:+"GET / sent 0.3 s after connecting: $slow"}
	((bad == 0)) || out+="${out:+; }GET / x$n: $bad failed (first: $what)"
	echo "$out"
	return 1
}

_wl_check_redis() {
	local port=$1 key="policyd-eval:check:$$:$RANDOM" val="v$RANDOM$RANDOM" out
	out=$(_wl_redis "$port" SET "$key" "$val") || true
	[[ $out == OK ]] || { echo "SET $key failed: ${out:-no answer}"; return 1; }
	out=$(_wl_redis "$port" GET "$key") || true
	[[ $out == "$val" ]] || { echo "GET $key returned '${out:-no answer}', not '$val'"; return 1; }
	out=$(_wl_redis "$port" DEL "$key") || true
	[[ $out == 1 ]] || { echo "DEL $key returned '${out:-no answer}', not 1"; return 1; }
	echo "SET, GET, DEL of a random key: value round-tripped"
}

_wl_check_postgresql() {
	local port=$1 table="policyd_eval_check_$RANDOM" val="v$RANDOM$RANDOM" out
	out=$(_wl_pg_tool psql -h 127.0.0.1 -p "$port" -U postgres -d bench -X -q -t -A \
		-v ON_ERROR_STOP=1 <<-SQL
			CREATE TABLE $table (id int PRIMARY KEY, v text);
			INSERT INTO $table VALUES (1, '$val');
			SELECT v FROM $table WHERE id = 1;
			DROP TABLE $table;
		SQL
	) || { echo "psql failed: ${out:-no output}"; return 1; }
	[[ $out == "$val" ]] || { echo "SELECT returned '$out', not '$val'"; return 1; }
	echo "CREATE TABLE, INSERT, SELECT (row read back), DROP TABLE in database bench"
}

wl_check() {
	local name=${1:-} port=${2:-}
	_wl_args "$name" "$port" || return 1
	case $name in
	busybox | nginx | python) _wl_check_http "$port" ;;
	redis) _wl_check_redis "$port" ;;
	postgresql) _wl_check_postgresql "$port" ;;
	*) _wl_unknown "$name" ;;
	esac
}

# --- load drivers ------------------------------------------------------------------------------

_wl_load_wrk() {
	local name=$1 port=$2 seconds=$3 p out rps
	p=$(_wl_wrk_params "$name")
	out=$(wrk -t"${p% *}" -c"${p#* }" -d"${seconds}s" --timeout 5s "http://127.0.0.1:$port/") ||
		{ _wl_err "wrk failed: $out"; return 1; }
	if [[ $out == *"Non-2xx or 3xx responses"* ]]; then
		_wl_err "wrk got error responses: $out"
		return 1
	fi
	# Socket errors (busybox under gVisor closes some connections unanswered) are worth a note; the
	# rate counts answered requests only.
	[[ $out != *"Socket errors"* ]] || _wl_err "wrk ($name): $(grep 'Socket errors' <<<"$out")"
	rps=$(awk '$1 == "Requests/sec:" { print $2 }' <<<"$out")
	[[ $rps =~ ^[0-9.]+$ && $rps != 0.00 ]] || { _wl_err "wrk printed no rate: $out"; return 1; }
	echo "$rps"
}

# _wl_redis_bench PORT N TESTS TIMEOUT_S: prints the rps of each test, one per line, in
# redis-benchmark's order. It retries a lost server for ever, hence the timeout.
_wl_redis_bench() {
	local out
	out=$(timeout "$4" redis-benchmark -h 127.0.0.1 -p "$1" -c 50 -n "$2" -t "$3" -q --csv) ||
		{ _wl_err "redis-benchmark failed: $out"; return 1; }
	# CSV rows: "SET","123456.79",... (a header row "test","rps",... in Redis 7).
	awk -F'"' '$2 != "test" && $4 ~ /^[0-9.]+$/ { print $4 }' <<<"$out"
}

_wl_load_redis() {
	local port=$1 seconds=$2 rates n
	rates=$(_wl_redis "$port" PING 2>&1) || true
	[[ $rates == PONG ]] || { _wl_err "redis on 127.0.0.1:$port does not answer: $rates"; return 1; }
	# No duration option: a short calibration run (which also warms up) sizes -n for ~SECONDS.
	rates=$(_wl_redis_bench "$port" 10000 set,get 60) || return 1
	n=$(awk -v s="$seconds" '{ sum += $1; k++ } END { if (k == 2) printf "%d", sum / k * s / 2 }' \
		<<<"$rates")
	[[ $n =~ ^[0-9]+$ ]] || { _wl_err "redis-benchmark calibration gave no rates"; return 1; }
	((n >= 1000)) || n=1000
	rates=$(_wl_redis_bench "$port" "$n" set,get $((seconds * 5 + 60))) || return 1
	awk '{ sum += $1; k++ } END { if (k == 2 && sum > 0) printf "%.2f\n", sum / k; else exit 1 }' \
		<<<"$rates" || { _wl_err "redis-benchmark printed no SET/GET rates"; return 1; }
}

# pgbench -N ("simple update"): the TPC-B-like script without the updates of pgbench_tellers and
# pgbench_branches. At scale 1 there is a single branch row, so the default script would serialise
# the 4 clients on its lock and measure lock waits rather than the server and its syscalls.
_wl_load_postgresql() {
	local port=$1 seconds=$2 out tps
	# Its progress report is noise unless it fails.
	out=$(_wl_pg_tool pgbench -h 127.0.0.1 -p "$port" -U postgres -i -s 1 -q bench 2>&1) ||
		{ _wl_err "pgbench -i failed: $out"; return 1; }
	out=$(_wl_pg_tool pgbench -h 127.0.0.1 -p "$port" -U postgres -N -c 4 -j 2 -T "$seconds" bench) ||
		{ _wl_err "pgbench failed: $out"; return 1; }
	tps=$(awk '$1 == "tps" && $2 == "=" { print $3; exit }' <<<"$out")
	[[ $tps =~ ^[0-9.]+$ ]] || { _wl_err "pgbench printed no tps: $out"; return 1; }
	echo "$tps"
}

wl_load() {
	local name=${1:-} port=${2:-} seconds=${3:-}
	_wl_args "$name" "$port" || return 1
	[[ $seconds =~ ^[1-9][0-9]*$ ]] || { _wl_err "wl_load: SECONDS must be a positive integer"; return 1; }
	case $name in
	busybox | nginx | python) _wl_load_wrk "$name" "$port" "$seconds" ;;
	redis) _wl_load_redis "$port" "$seconds" ;;
	postgresql) _wl_load_postgresql "$port" "$seconds" ;;
	*) _wl_unknown "$name" ;;
	esac
}

# --- learning exercise -------------------------------------------------------------------------

# _wl_step NAME WHAT CMD...: runs CMD with its stdout on stderr, logs the outcome; 0 or 1.
_wl_step() {
	local name=$1 what=$2 rc=0
	shift 2
	"$@" >&2 || rc=$?
	if ((rc == 0)); then
		_wl_err "exercise $name: $what: ok"
	else
		_wl_err "exercise $name: $what: FAILED (exit $rc)"
		return 1
	fi
}

_wl_http_status() { # PORT PATH EXPECTED_CODE CURL_ARGS...: one request, checks its status code
	local code
	code=$(curl -s -o /dev/null --max-time 10 -w '%{http_code}' "${@:4}" "http://127.0.0.1:$1$2") ||
		true
	echo "$2 ${*:4} -> $code"
	[[ $code == "$3" ]]
}

_wl_exercise_http() {
	local name=$1 port=$2 modified
	_wl_step "$name" "HEAD /" _wl_http_status "$port" / 200 -I || return 1
	_wl_step "$name" "GET a missing page" _wl_http_status "$port" /missing.html 404 || return 1
	[[ $name != busybox ]] || return 0
	# What browsers and caches send: a revalidation, and the odd method the server refuses.
	modified=$(curl -s -I --max-time 10 "http://127.0.0.1:$port/" |
		awk 'tolower($1) == "last-modified:" { sub(/^[^:]*: */, ""); sub(/\r$/, ""); print }') || true
	_wl_step "$name" "conditional GET" _wl_http_status "$port" / 304 \
		-H "If-Modified-Since: $modified" || return 1
	_wl_step "$name" "POST (refused on static files)" _wl_http_status "$port" / \
		"$([[ $name == nginx ]] && echo 405 || echo 501)" -d x=1 || return 1
}

_wl_exercise_redis() {
	local port=$1 c
	# Introspection a client or an operator does, and every family of data commands.
	for c in "PING" "INFO everything" "CONFIG GET *" "DBSIZE" "CLIENT LIST" "SLOWLOG GET 10" \
		"MEMORY STATS" "INCR policyd-eval:counter" "EXPIRE policyd-eval:counter 60" \
		"HSET policyd-eval:hash f1 v1 f2 v2" "HGETALL policyd-eval:hash" \
		"ZADD policyd-eval:zset 1 a 2 b" "ZRANGE policyd-eval:zset 0 -1 WITHSCORES" \
		"SCAN 0 COUNT 100" "DEL policyd-eval:counter policyd-eval:hash policyd-eval:zset"; do
		# shellcheck disable=SC2086 # the command words are meant to split
		_wl_step redis "$c" _wl_redis_quiet "$port" $c || return 1
	done
	_wl_step redis "redis-benchmark, all command families" timeout 120 redis-benchmark \
		-h 127.0.0.1 -p "$port" -c 10 -n 2000 -q || return 1
}

_wl_redis_quiet() { # the reply is noise on stderr; an error reply (redis-cli prints ERR ...) fails
	local out
	out=$(_wl_redis "$@") || return 1
	[[ $out != ERR* && $out != WRONGTYPE* ]]
}

_wl_exercise_postgresql() {
	local port=$1
	# What an application and an operator do beyond the benchmark's queries: catalog lookups, an
	# index build, a sort that spills to temporary files, VACUUM/ANALYZE and a checkpoint.
	_wl_step postgresql "catalog, index, spilled sort, vacuum, checkpoint" _wl_pg_tool psql \
		-h 127.0.0.1 -p "$port" -U postgres -d bench -X -q -v ON_ERROR_STOP=1 <<-'SQL' || return 1
			SELECT version();
			SELECT datname FROM pg_database ORDER BY 1;
			SELECT count(*) FROM pg_stat_activity;
			CREATE TABLE policyd_eval_ex AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 50000) g;
			CREATE INDEX ON policyd_eval_ex (v);
			SET work_mem = '64kB';
			SELECT count(*) FROM (SELECT v FROM policyd_eval_ex ORDER BY random()) s;
			VACUUM ANALYZE policyd_eval_ex;
			DROP TABLE policyd_eval_ex;
			CHECKPOINT;
		SQL
}

wl_exercise() {
	local name=${1:-} port=${2:-} detail rc=0 rate
	_wl_args "$name" "$port" || return 1
	detail=$(wl_check "$name" "$port") || rc=$?
	_wl_err "exercise $name: functional check: $detail"
	((rc == 0)) || return 1
	case $name in
	busybox | nginx | python) _wl_exercise_http "$name" "$port" || return 1 ;;
	redis) _wl_exercise_redis "$port" || return 1 ;;
	postgresql) _wl_exercise_postgresql "$port" || return 1 ;;
	esac
	rate=$(wl_load "$name" "$port" 3) || { _wl_err "exercise $name: 3 s load: FAILED"; return 1; }
	_wl_err "exercise $name: 3 s load: $rate $(wl_load_unit "$name")"
}
