#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds escape-probes statically, runs it in a busybox image under runc and crun with Podman's
# default confinement (--network none), prints a probe x runtime table. Private Podman env, cleaned up.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
runtimes=(${RUNTIMES:-runc crun})

# Short prefix: conmon's socket paths live below it and must stay under 108 bytes.
work=$(mktemp -d /tmp/pdev.XXXXXX)
# shellcheck source=../../scripts/podman-env.sh
source "$root/scripts/podman-env.sh"
cleanup() { podman_env_teardown; rm -rf "$work"; }
trap cleanup EXIT INT TERM

gcc -O2 -static -Wall -o "$work/escape-probes" "$here/escape-probes.c"
podman_env_setup "$work/env"
make_busybox_image localhost/escape-probes "$work/escape-probes"

for rt in "${runtimes[@]}"; do
	out=$work/result.$rt.jsonl
	if ! podman run --rm --network none --runtime "$rt" localhost/escape-probes \
		/bin/escape-probes >"$out" 2>"$work/err.$rt"; then
		echo "podman run --runtime $rt failed:" >&2
		cat "$work/err.$rt" >&2
	fi
	[[ -z ${RESULTS_DIR:-} ]] || cp "$out" "$RESULTS_DIR/escape-probes.$rt.jsonl"
done

python3 - "$work" "${runtimes[@]}" <<'PY'
import json, sys
work, rts = sys.argv[1], sys.argv[2:]
res = {}
order = []
for rt in rts:
    try:
        lines = open(f"{work}/result.{rt}.jsonl").read().splitlines()
    except OSError:
        lines = []
    for l in lines:
        o = json.loads(l)
        if "probe" not in o:  # the context line
            continue
        if o["probe"] not in order:
            order.append(o["probe"])
        res[(o["probe"], rt)] = o
w = max([len(p) for p in order] + [5])
print(f"{'probe':<{w}}  " + "  ".join(f"{rt:<22}" for rt in rts))
for p in order:
    cells = []
    for rt in rts:
        o = res.get((p, rt))
        cells.append(f"{o['result']} ({o['errno']})" if o else "-")
    print(f"{p:<{w}}  " + "  ".join(f"{c:<22}" for c in cells))
for rt in rts:
    allowed = [p for p in order if res.get((p, rt), {}).get("result") == "allowed"]
    print(f"\n{rt}: {len(allowed)} of {sum(1 for p in order if (p, rt) in res)} allowed: {' '.join(allowed)}")
PY
