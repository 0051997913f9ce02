#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Is one comparative-study run complete?

usage: eval/check-results.py RUN.json [--quick] [--report-dir DIR]

Reads eval/results/RUN_ID.json (format: eval/SCHEMA.md) and, with --report-dir, the report.md and
PNGs that eval/report.py wrote into DIR. Writes nothing. Exit status 0 when the run is complete;
otherwise one line per problem on stderr ("problem: ...") and exit status 1. Findings that are not
defects of the run (gVisor failing a workload's functional check, a probe the default blocks and
policyd does not) are printed as "warning: ..." and do not change the exit status.

--quick applies the quick-mode requirements (`make eval-quick`): fewer performance metrics.
Standard library only; report.py's tables (config names, metric families, PNG names) are shared
by importing it, which does not load matplotlib.
"""
import argparse
import json
import math
import os
import statistics
import sys
from datetime import datetime, timezone

sys.dont_write_bytecode = True  # importing report.py must leave no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report import (BASELINE, CONFIG_ORDER, FAMILIES, METRICS, NO_BASELINE_METRICS,  # noqa: E402
                    POLICYD_PAIRS, SCHEMA, null_reason)

GVISOR = "gvisor"
NOT_RUNNABLE = {"kata"}
POLICYD_CONFIGS = set(POLICYD_PAIRS)
MUST_BE_COMPATIBLE = ["runc-default", "crun-default", "runc-policyd", "crun-policyd"]
MACHINE_STRINGS = ["hostname", "kernel", "cpu_model", "virtualization", "os"]
VERSION_KEYS = ["podman", "runc", "crun", "runsc", "policyd"]
RESULTS = {"allowed", "blocked", "error"}
LAYERS = {"seccomp", "capabilities", "landlock", "no_new_privs", "masked-path", "read-only-mount",
          "gvisor-sentry", "kernel", "namespace", "not-present", "file-permissions"}
MIN_PROBES = 25
MAX_ERRORS = 2
QUICK_METRICS = ["start_ms", "throughput", "getppid_ns", "container_pss_kib", "daemon_rss_kib"]
FULL_METRICS = QUICK_METRICS + ["fileio_write_mib_s", "fileio_read_mib_s", "fileio_meta_ops_s",
                                "learning_throughput"]
# Metrics measured only where policyd runs (runc-default appears as learning_throughput's baseline).
POLICYD_ONLY_METRICS = {"daemon_rss_kib", "learning_throughput"}
REL_TOL = 1e-6
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MIN_PNG_BYTES = 5000
MIN_PNG_PIXELS = (300, 200)
# Key fields of each row section: at most one row per key.
ROW_KEYS = {
    "compat": ("config", "workload"), "probe_context": ("config", "workload"),
    "probes": ("config", "workload", "probe"), "surface": ("config", "workload"),
    "policies": ("config", "workload"), "perf": ("metric", "config", "workload"),
}


class Findings:
    def __init__(self):
        self.problems, self.warnings = [], []

    def fail(self, msg):
        self.problems.append(msg)

    def warn(self, msg):
        self.warnings.append(msg)


# ---------------------------------------------------------------- helpers

def rows(run, section):
    value = run.get(section)
    return [r for r in value if isinstance(r, dict)] if isinstance(value, list) else []


def js(value):
    """A JSON value as it is written in the run's file (null, true, "text")."""
    return json.dumps(value)


def is_number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def close(a, b, rel=REL_TOL):
    return abs(a - b) <= rel * max(abs(a), abs(b)) + 1e-12


def parse_time(text):
    """An aware datetime from an ISO 8601 string, or None."""
    if not isinstance(text, str):
        return None
    try:
        t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def names_list(names, limit=6):
    names = sorted(names)
    more = f" (+{len(names) - limit} more)" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


class Run:
    """The run's JSON plus the lookups every check needs."""

    def __init__(self, data, quick):
        self.data, self.quick = data, quick
        self.configs = {c["name"]: c for c in rows(data, "configs")
                        if isinstance(c.get("name"), str)}
        self.runnable = [n for n, c in self.configs.items() if c.get("runnable") is True]
        self.policyd = [n for n in self.runnable if self.configs[n].get("policyd") is True]
        self.workloads = [w["name"] for w in rows(data, "workloads")
                          if isinstance(w.get("name"), str)]

    def index(self, section):
        keys = ROW_KEYS[section]
        return {tuple(r.get(k) for k in keys): r for r in rows(self.data, section)}

    def has(self, section):
        """Is the section a list? (check_row_references reports it when it is not.)"""
        return isinstance(self.data.get(section), list)

    def cells(self):
        """Every runnable config x workload pair."""
        return [(c, w) for c in self.runnable for w in self.workloads]

    def excused(self, c, w):
        """A config that may fail a workload (gVisor) and did: results missing for that pair are
        a consequence of the finding (the container may never have run), not a defect."""
        r = self.index("compat").get((c, w)) if self.has("compat") else None
        return c not in MUST_BE_COMPATIBLE and r is not None and r.get("ok") is False


# ---------------------------------------------------------------- header and configs

def check_header(run, f):
    d = run.data
    if d.get("schema") != SCHEMA:
        f.fail(f"schema is {js(d.get('schema'))}, expected {js(SCHEMA)}")
    mode, run_id = d.get("mode"), d.get("run_id")
    if mode not in ("full", "quick"):
        f.fail(f"mode is {js(mode)}, expected 'full' or 'quick'")
    if not isinstance(run_id, str) or not run_id.strip():
        f.fail("run_id missing or empty")
    elif mode in ("full", "quick") and not run_id.endswith("-" + mode):
        f.fail(f"run_id {js(run_id)} does not end with the mode '-{mode}'")
    if mode == "quick" and not run.quick:
        f.fail("the run is a quick run but is checked against the full-mode requirements; "
               "pass --quick")


def check_machine(run, f):
    m = run.data.get("machine")
    if not isinstance(m, dict):
        f.fail("machine missing")
        return
    for key in MACHINE_STRINGS:
        if not isinstance(m.get(key), str) or not m[key].strip():
            f.fail(f"machine.{key} missing or empty")
    for key in ("nproc", "mem_total_kib"):
        if not is_number(m.get(key)) or m[key] <= 0:
            f.fail(f"machine.{key} missing or not a positive number: {js(m.get(key))}")
    versions = m.get("versions") if isinstance(m.get("versions"), dict) else {}
    missing = [k for k in VERSION_KEYS if not isinstance(versions.get(k), str) or not versions[k]]
    if missing:
        f.fail(f"machine.versions missing {', '.join(missing)}")
    check_times(m, f)


def check_times(m, f):
    started, finished = parse_time(m.get("started_at")), parse_time(m.get("finished_at"))
    if started is None:
        f.fail(f"machine.started_at missing or not ISO 8601: {js(m.get('started_at'))}")
    if finished is None:
        f.fail(f"machine.finished_at missing or not ISO 8601: {js(m.get('finished_at'))}")
    if started and finished and finished <= started:
        f.fail(f"machine.finished_at {m['finished_at']} is not after started_at {m['started_at']}")
    duration = m.get("duration_s")
    if not is_number(duration) or duration <= 0:
        f.fail(f"machine.duration_s missing or not positive: {js(duration)}")
    elif started and finished and finished > started:
        span = (finished - started).total_seconds()
        if abs(duration - span) > max(5.0, 0.02 * span):
            f.fail(f"machine.duration_s {duration} disagrees with finished_at - started_at "
                   f"= {span:.0f} s")


def check_configs(run, f):
    names = [c.get("name") for c in rows(run.data, "configs")]
    for n in sorted({n for n in names if names.count(n) > 1}, key=str):
        f.fail(f"config {js(n)} listed more than once")
    for name in CONFIG_ORDER:
        c = run.configs.get(name)
        if c is None:
            f.fail(f"config {name} missing from configs")
        elif name in NOT_RUNNABLE:
            if c.get("runnable") is not False:
                f.fail(f"config {name}: runnable must be false (not runnable on this host)")
            if not isinstance(c.get("reason"), str) or not c["reason"].strip():
                f.fail(f"config {name}: not runnable but no reason given")
        else:
            if c.get("runnable") is not True:
                f.fail(f"config {name}: not runnable ({c.get('reason') or 'no reason'}); "
                       "all configs but kata must run")
            if c.get("policyd") is not (name in POLICYD_CONFIGS):
                f.fail(f"config {name}: policyd is {js(c.get('policyd'))}, expected "
                       f"{js(name in POLICYD_CONFIGS)}")
    if not run.workloads:
        f.fail("no workloads")
    for w in sorted({w for w in run.workloads if run.workloads.count(w) > 1}):
        f.fail(f"workload {js(w)} listed more than once")


def check_row_references(run, f):
    """Rows name known configs and workloads, none is duplicated, none is for a config not run."""
    for section, keys in ROW_KEYS.items():
        if section in ("compat", "probes", "surface", "perf") and \
                not isinstance(run.data.get(section), list):
            f.fail(f"section {section} missing or not a list")
            continue
        seen = set()
        for r in rows(run.data, section):
            key = tuple(r.get(k) for k in keys)
            where = f"{section} row {'/'.join(str(k) for k in key)}"
            if r.get("config") not in run.configs:
                f.fail(f"{where}: unknown config {js(r.get('config'))}")
            elif r.get("config") not in run.runnable:
                f.fail(f"{where}: config {r.get('config')} is not runnable but has results")
            if r.get("workload") not in run.workloads:
                f.fail(f"{where}: unknown workload {js(r.get('workload'))}")
            if key in seen:
                f.fail(f"{where}: duplicate row")
            seen.add(key)


# ---------------------------------------------------------------- compatibility

def check_compat(run, f):
    if not run.has("compat"):
        return
    compat = run.index("compat")
    for c, w in run.cells():
        r = compat.get((c, w))
        if r is None:
            f.fail(f"compat: no row for {c}/{w}")
        elif not isinstance(r.get("ok"), bool):
            f.fail(f"compat {c}/{w}: ok is {js(r.get('ok'))}, expected true or false")
        elif r["ok"] is False:
            detail = r.get("detail") or "no detail"
            if c in MUST_BE_COMPATIBLE:
                f.fail(f"compat {c}/{w}: functional check failed: {detail}")
            else:
                f.warn(f"compat {c}/{w}: functional check failed (a finding, not a defect): "
                       f"{detail}")


# ---------------------------------------------------------------- probes

def probe_sets(run):
    """{(config, workload): {probe: row}} for every runnable cell."""
    sets = {cell: {} for cell in run.cells()}
    for (c, w, p), r in run.index("probes").items():
        if (c, w) in sets:
            sets[(c, w)][p] = r
    return sets


def check_probe_rows(cell, probes, f):
    c, w = cell
    errors = 0
    for p, r in probes.items():
        result = r.get("result")
        if result not in RESULTS:
            f.fail(f"probe {p} under {c}/{w}: result {js(result)} not one of allowed, blocked, "
                   "error")
        elif result == "blocked" and (not isinstance(r.get("layer"), str) or not r["layer"]):
            f.fail(f"probe {p} under {c}/{w}: blocked but layer is {js(r.get('layer'))}")
        elif result == "allowed" and r.get("layer") is not None:
            f.fail(f"probe {p} under {c}/{w}: allowed but layer is {js(r.get('layer'))} "
                   "(must be null)")
        errors += result == "error"
        if not isinstance(r.get("cves"), list):
            f.fail(f"probe {p} under {c}/{w}: cves is not a list")
    if errors > MAX_ERRORS:
        bad = [p for p, r in probes.items() if r.get("result") == "error"]
        f.fail(f"probes {c}/{w}: {errors} probes ended in error (at most {MAX_ERRORS}): "
               f"{names_list(bad)}")


def check_layer_names(run, f):
    """Layers outside SCHEMA.md's list are reported once each, as a warning."""
    unknown = {}
    for r in rows(run.data, "probes"):
        if r.get("result") == "blocked" and isinstance(r.get("layer"), str) and r["layer"] \
                and r["layer"] not in LAYERS:
            unknown[r["layer"]] = unknown.get(r["layer"], 0) + 1
    for name, n in sorted(unknown.items()):
        f.warn(f"probes: layer {js(name)} ({n} blocked rows) is not one of SCHEMA.md's layers "
               f"({', '.join(sorted(LAYERS))})")


def check_probes(run, f):
    if not run.has("probes"):
        return
    check_layer_names(run, f)
    sets = probe_sets(run)
    every = set().union(*[set(s) for s in sets.values()]) if sets else set()
    if len(every) < MIN_PROBES:
        f.fail(f"probes: only {len(every)} distinct probes in the run, expected at least "
               f"{MIN_PROBES}")
    for cell, probes in sets.items():
        if not probes and run.excused(*cell):
            f.warn(f"probes: no probe results for {cell[0]}/{cell[1]}, which failed its "
                   "functional check")
            continue
        if not probes:
            f.fail(f"probes: no probe results for {cell[0]}/{cell[1]}")
            continue
        missing = every - set(probes)
        if missing:
            f.fail(f"probes {cell[0]}/{cell[1]}: missing {len(missing)} of {len(every)} probes: "
                   f"{names_list(missing)}")
        check_probe_rows(cell, probes, f)
    classes = {}
    for r in rows(run.data, "probes"):
        classes.setdefault(r.get("probe"), set()).add(r.get("class"))
    for p, cls in classes.items():
        if len(cls) > 1:
            f.fail(f"probe {p}: class differs between rows: {names_list(map(str, cls))}")


def blocked(probes):
    return {p for p, r in probes.items() if r.get("result") == "blocked"}


def check_policyd_blocks_more(run, f):
    if not run.has("probes"):
        return
    sets = probe_sets(run)
    for pol, dflt in POLICYD_PAIRS.items():
        if pol not in run.runnable or dflt not in run.runnable:
            continue
        more = []
        for w in run.workloads:
            mine, theirs = sets.get((pol, w)), sets.get((dflt, w))
            if not mine or not theirs:
                continue  # reported by check_probes
            b_pol, b_def = blocked(mine), blocked(theirs)
            if len(b_pol) < len(b_def):
                f.fail(f"security {w}: {pol} blocks {len(b_pol)} probes, fewer than {dflt}'s "
                       f"{len(b_def)}; {dflt} blocks, {pol} does not: {names_list(b_def - b_pol)}")
            elif b_def - b_pol:
                f.warn(f"security {w}: {dflt} blocks, {pol} does not: "
                       f"{names_list(b_def - b_pol)}")
            if len(b_pol) > len(b_def):
                more.append(w)
        if not more:
            f.fail(f"security: {pol} blocks no more probes than {dflt} for any workload")


# ---------------------------------------------------------------- policies and surface

def check_policies(run, f):
    policies = run.index("policies")
    for c in run.policyd:
        for w in run.workloads:
            r = policies.get((c, w))
            if r is None:
                f.fail(f"policies: no learned policy for {c}/{w}")
            elif not isinstance(r.get("syscalls"), list) or not r["syscalls"]:
                f.fail(f"policies {c}/{w}: syscalls empty or missing")
    for (c, w), r in policies.items():
        if c in run.configs and c not in run.policyd:
            f.fail(f"policies {c}/{w}: {c} is not a policyd config")


def check_surface_row(c, w, r, f):
    declared = r.get("syscalls_declared")
    if declared is None:
        if not null_reason(r, "syscalls_declared") and not r.get("host_syscalls_note"):
            f.fail(f"surface {c}/{w}: syscalls_declared is null without a reason "
                   "(syscalls_declared_reason)")
    elif not isinstance(declared, int) or declared < 0:
        f.fail(f"surface {c}/{w}: syscalls_declared {js(declared)} is not a count")
    kf = r.get("syscalls_kernel_filter")
    if kf is None:
        if not null_reason(r, "syscalls_kernel_filter"):
            f.fail(f"surface {c}/{w}: syscalls_kernel_filter is null without a reason "
                   "(syscalls_kernel_filter_reason)")
    elif not isinstance(kf, dict) or \
            not all(is_number(kf.get(k)) for k in ("always", "conditional")):
        f.fail(f"surface {c}/{w}: syscalls_kernel_filter lacks always/conditional counts")
    caps = r.get("capabilities")
    if not isinstance(caps, list):
        f.fail(f"surface {c}/{w}: capabilities is not a list")
    elif r.get("cap_count") != len(caps):
        f.fail(f"surface {c}/{w}: cap_count {js(r.get('cap_count'))} but {len(caps)} capabilities "
               "listed")


def check_surface(run, f):
    if not run.has("surface"):
        return
    surface = run.index("surface")
    for c, w in run.cells():
        r = surface.get((c, w))
        if r is None and run.excused(c, w):
            f.warn(f"surface: no row for {c}/{w}, which failed its functional check")
        elif r is None:
            f.fail(f"surface: no row for {c}/{w}")
        else:
            check_surface_row(c, w, r, f)
    for pol, dflt in POLICYD_PAIRS.items():
        for w in run.workloads:
            a, b = surface.get((pol, w)), surface.get((dflt, w))
            if a is None or b is None:
                continue
            na, nb = a.get("syscalls_declared"), b.get("syscalls_declared")
            if not isinstance(na, int) or not isinstance(nb, int):
                f.fail(f"surface {w}: cannot compare syscalls declared by {pol} ({js(na)}) and "
                       f"{dflt} ({js(nb)})")
            elif na >= nb:
                f.fail(f"surface {w}: {pol} declares {na} syscalls, not fewer than {dflt}'s {nb}")


# ---------------------------------------------------------------- performance

def check_perf_row(key, r, f):
    """Samples, min, median, max of one row agree."""
    where = "perf " + "/".join(str(k) for k in key)
    samples = r.get("samples")
    if not isinstance(samples, list):
        f.fail(f"{where}: samples is not a list: {js(samples)}")
        return False
    if not samples:
        f.fail(f"{where}: no samples")
        return False
    if not all(is_number(s) for s in samples):
        f.fail(f"{where}: a sample is not a number")
        return False
    med, lo, hi = r.get("median"), r.get("min"), r.get("max")
    if not all(is_number(x) for x in (med, lo, hi)):
        f.fail(f"{where}: median/min/max missing or not numbers ({js(med)}, {js(lo)}, {js(hi)})")
        return False
    if not lo <= med <= hi:
        f.fail(f"{where}: median {med} not within [min {lo}, max {hi}]")
    for name, got, want in (("min", lo, min(samples)), ("max", hi, max(samples)),
                            ("median", med, statistics.median(samples))):
        if not close(got, want):
            f.fail(f"{where}: {name} {got} is not the {name} of the samples ({want})")
    if not isinstance(r.get("unit"), str) or not r["unit"]:
        f.fail(f"{where}: unit missing")
    if not isinstance(r.get("higher_is_better"), bool):
        f.fail(f"{where}: higher_is_better missing")
    return True


def check_ratio(key, r, base, f):
    metric = key[0]
    where = "perf " + "/".join(str(k) for k in key)
    ratio = r.get("ratio_to_baseline")
    if base is None:
        if ratio is not None and metric in NO_BASELINE_METRICS:
            f.fail(f"{where}: ratio_to_baseline {js(ratio)} but no {BASELINE} row to divide by")
        return
    if base["median"] == 0:
        if key[1] == BASELINE:
            f.fail(f"{where}: baseline median is 0, no ratio can be computed")
        return
    expected = r["median"] / base["median"]
    if not is_number(ratio):
        f.fail(f"{where}: ratio_to_baseline is {js(ratio)}, expected {expected:.6g}")
    elif not close(ratio, expected):
        f.fail(f"{where}: ratio_to_baseline {ratio} inconsistent with medians "
               f"{r['median']} / {base['median']} = {expected:.6g}")
    elif r.get("baseline") != BASELINE:
        f.fail(f"{where}: baseline is {js(r.get('baseline'))}, expected {js(BASELINE)}")


def check_perf(run, f):
    if not run.has("perf"):
        return
    perf = run.index("perf")
    good = {k: r for k, r in perf.items() if check_perf_row(k, r, f)}
    for k in perf:
        if k[0] not in METRICS:
            f.fail(f"perf {'/'.join(map(str, k))}: unknown metric {js(k[0])}")
    for metric in sorted({k[0] for k in perf if k[0] in METRICS}):
        for w in sorted({k[2] for k in perf if k[0] == metric}, key=str):
            # throughput is req/s for one workload, tps for another: one unit per metric and workload
            units = {perf[k].get("unit") for k in perf if k[0] == metric and k[2] == w}
            if len(units) > 1:
                f.fail(f"perf {metric}/{w}: rows disagree on the unit: {names_list(map(str, units))}")
            if metric not in NO_BASELINE_METRICS and (metric, BASELINE, w) not in perf:
                f.fail(f"perf {metric}/{w}: no {BASELINE} row (the baseline of every ratio)")
    for k, r in good.items():
        base = good.get((k[0], BASELINE, k[2]))
        check_ratio(k, r, base, f)
    check_required_metrics(run, perf, f)


def check_required_metrics(run, perf, f):
    required = QUICK_METRICS if run.quick else FULL_METRICS
    mode = "quick" if run.quick else "full"
    for metric in required:
        configs = run.policyd if metric in POLICYD_ONLY_METRICS else run.runnable
        missing = [c for c in configs if not any(k[0] == metric and k[1] == c for k in perf)]
        if missing:
            f.fail(f"perf {metric}: no row on any workload for {', '.join(missing)} "
                   f"(required in {mode} mode)")


# ---------------------------------------------------------------- report directory

def png_size(data):
    """(width, height) from a PNG's IHDR chunk, or None."""
    if len(data) < 24 or not data.startswith(PNG_MAGIC) or data[12:16] != b"IHDR":
        return None
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def check_png(path, label, f):
    if not os.path.isfile(path):
        f.fail(f"report: {label} has data but {os.path.basename(path)} is missing")
        return
    with open(path, "rb") as fh:
        data = fh.read()
    size = png_size(data)
    if size is None:
        f.fail(f"report: {path} is not a PNG")
    elif len(data) < MIN_PNG_BYTES or size[0] < MIN_PNG_PIXELS[0] or size[1] < MIN_PNG_PIXELS[1]:
        f.fail(f"report: {path} looks empty ({len(data)} bytes, {size[0]}x{size[1]} px)")


def check_report_dir(run, outdir, f):
    path = os.path.join(outdir, "report.md")
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as e:
        f.fail(f"report: cannot read {path}: {e.strerror}")
        return
    if not text.strip():
        f.fail(f"report: {path} is empty")
        return
    for name in run.configs:
        if name and name not in text:
            f.fail(f"report: {path} never mentions config {name}")
    metrics = {r.get("metric") for r in rows(run.data, "perf")}
    for _family, title, family_metrics, png in FAMILIES:
        if metrics & set(family_metrics):
            check_png(os.path.join(outdir, png), f"metric family '{title}'", f)


# ---------------------------------------------------------------- main

CHECKS = [check_header, check_machine, check_configs, check_row_references, check_compat,
          check_probes, check_policyd_blocks_more, check_policies, check_surface, check_perf]


def run_checks(run, report_dir, f):
    checks = [(c.__name__, lambda c=c: c(run, f)) for c in CHECKS]
    if report_dir is not None:
        checks.append(("check_report_dir", lambda: check_report_dir(run, report_dir, f)))
    for name, check in checks:
        try:
            check()
        except Exception as e:  # malformed input must be reported, not crash the checker
            f.fail(f"{name}: could not be evaluated on this input ({type(e).__name__}: {e})")


def main():
    ap = argparse.ArgumentParser(description="Exit 0 if an eval run's results are complete.")
    ap.add_argument("run", help="eval/results/RUN_ID.json")
    ap.add_argument("--quick", action="store_true", help="apply the quick-mode requirements")
    ap.add_argument("--report-dir", help="also check report.md and the PNGs of eval/report.py")
    args = ap.parse_args()
    try:
        with open(args.run, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError) as e:
        print(f"problem: cannot read {args.run}: {e}", file=sys.stderr)
        return 1
    if not isinstance(data, dict):
        print(f"problem: {args.run} is not a JSON object", file=sys.stderr)
        return 1
    run, f = Run(data, args.quick), Findings()
    run_checks(run, args.report_dir, f)
    for w in f.warnings:
        print(f"warning: {w}", file=sys.stderr)
    for p in f.problems:
        print(f"problem: {p}", file=sys.stderr)
    if f.problems:
        print(f"{args.run}: {len(f.problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"{args.run}: complete ({'quick' if args.quick else 'full'} requirements, "
          f"{len(run.runnable)} runnable configs, {len(run.workloads)} workloads, "
          f"{len(f.warnings)} warning(s))")
    return 0


if __name__ == "__main__":
    sys.exit(main())
