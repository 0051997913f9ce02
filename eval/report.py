#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Markdown report and PNG plots for one comparative-study run.

usage: eval/report.py RUN.json OUTDIR

Reads eval/results/RUN_ID.json (format: eval/SCHEMA.md). Writes OUTDIR/report.md and, in OUTDIR,
one PNG per metric family that has data (file names in FAMILIES, always the same) plus
tradeoff.png. Uses only the standard library and matplotlib (Agg backend); run it with
/usr/bin/python3 (Debian's python3-matplotlib). Every number printed comes from RUN.json or is
derived from it (counts, ratios, geometric means); nothing is filled in from elsewhere.
"""
import argparse
import json
import math
import os
import sys

SCHEMA = "oci-policyd-eval/1"
BASELINE = "runc-default"
CONFIG_ORDER = ["runc-default", "crun-default", "runc-policyd", "crun-policyd", "gvisor", "kata"]
# Configs are compared with their own runtime's default (same runtime, without policyd).
POLICYD_PAIRS = {"runc-policyd": "runc-default", "crun-policyd": "crun-default"}

# metric -> human label. Order = order in the report.
METRICS = {
    "start_ms": "container start time",
    "throughput": "workload throughput",
    "getppid_ns": "getppid() round trip",
    "fileio_write_mib_s": "file write bandwidth",
    "fileio_read_mib_s": "file read bandwidth",
    "fileio_meta_ops_s": "file metadata operations",
    "container_pss_kib": "container memory (PSS)",
    "daemon_rss_kib": "policyd daemon memory (RSS)",
    "learning_throughput": "throughput while policyd learns",
}
# Metrics with no runc-default partner: policyd's daemon does not exist without policyd.
NO_BASELINE_METRICS = {"daemon_rss_kib"}

# (family, title, metrics, PNG file name). check-results.py imports this table.
FAMILIES = [
    ("start", "Start time", ["start_ms"], "perf-start.png"),
    ("throughput", "Throughput", ["throughput"], "perf-throughput.png"),
    ("getppid", "getppid() cost", ["getppid_ns"], "perf-getppid.png"),
    ("fileio", "File I/O", ["fileio_write_mib_s", "fileio_read_mib_s", "fileio_meta_ops_s"],
     "perf-fileio.png"),
    ("memory", "Memory", ["container_pss_kib", "daemon_rss_kib"], "perf-memory.png"),
    ("learning", "Learning overhead", ["learning_throughput"], "perf-learning.png"),
]
TRADEOFF_PNG = "tradeoff.png"
MARKERS = {"runc-default": "s", "crun-default": "D", "runc-policyd": "o", "crun-policyd": "P",
           "gvisor": "^", "kata": "v"}
DPI = 110
COLORS = {
    "runc-default": "#7f7f7f", "crun-default": "#bcbd22", "runc-policyd": "#1f77b4",
    "crun-policyd": "#17becf", "gvisor": "#d62728", "kata": "#9467bd",
}


# ---------------------------------------------------------------- data access

def load_run(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def rows(run, section):
    """The list of dict rows of a section; [] if missing or malformed."""
    value = run.get(section)
    return [r for r in value if isinstance(r, dict)] if isinstance(value, list) else []


def config_names(run):
    """Config names in the run's order; without a configs list, those that have rows."""
    names = [c["name"] for c in rows(run, "configs") if isinstance(c.get("name"), str)]
    return names or configs_with_rows(run)


def configs_with_rows(run):
    found = {r.get("config") for s in ("compat", "probes", "surface", "perf") for r in rows(run, s)}
    return [c for c in CONFIG_ORDER if c in found] + sorted(c for c in found - set(CONFIG_ORDER)
                                                            if isinstance(c, str))


def config_map(run):
    return {c["name"]: c for c in rows(run, "configs") if isinstance(c.get("name"), str)}


def runnable_configs(run):
    """Configs marked runnable (all configs with rows when the run lists none)."""
    if not rows(run, "configs"):
        return configs_with_rows(run)
    cmap = config_map(run)
    return [n for n in config_names(run) if cmap[n].get("runnable") is True]


def workload_names(run):
    names = [w["name"] for w in rows(run, "workloads") if isinstance(w.get("name"), str)]
    for section in ("compat", "probes", "surface", "perf"):
        for r in rows(run, section):
            if isinstance(r.get("workload"), str) and r["workload"] not in names:
                names.append(r["workload"])
    return names


def index(run, section, *keys):
    """{(row[k1], row[k2], ...): row} for a section (the last row wins on duplicates)."""
    return {tuple(r.get(k) for k in keys): r for r in rows(run, section)}


def is_number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


# ---------------------------------------------------------------- formatting

def fmt_num(x):
    """A number with about three significant digits; n/a for anything else."""
    if not is_number(x):
        return "n/a"
    if isinstance(x, int):
        return f"{x:,}"
    a = abs(x)
    if a >= 1000:
        return f"{x:,.0f}"
    if a >= 100:
        return f"{x:.0f}"
    if a >= 10:
        return f"{x:.1f}"
    if a >= 1:
        return f"{x:.2f}"
    return f"{x:.3g}"


def null_reason(row, field):
    """The reason a null field was not measured, looked up next to it in the row."""
    short = field.split("_")[0]  # e.g. ratio_reason for ratio_to_baseline (eval/lib/collect.py)
    for key in (f"{field}_reason", f"{short}_reason", f"{field}_note", "reason", "note"):
        value = row.get(key) if isinstance(row, dict) else None
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def value_or_na(row, field, fmt=fmt_num):
    """row[field] formatted, or "n/a (reason)" when it is null or missing."""
    value = row.get(field) if isinstance(row, dict) else None
    if value is None:
        reason = null_reason(row, field)
        return f"n/a ({reason})" if reason else "n/a"
    return fmt(value)


def fmt_plain(x):
    """Booleans as yes/no, everything else as text."""
    if isinstance(x, bool):
        return "yes" if x else "no"
    return str(x)


def cell(text):
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def md_table(headers, body):
    lines = ["| " + " | ".join(cell(h) for h in headers) + " |",
             "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell(c) for c in r) + " |" for r in body]
    return lines


def fmt_duration(seconds):
    if not is_number(seconds):
        return "n/a"
    s = int(round(seconds))
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h} h {m:02d} min {s:02d} s" if h else f"{m} min {s:02d} s"


def fmt_kib(kib):
    if not is_number(kib):
        return "n/a"
    return f"{kib / 1048576:.1f} GiB" if kib >= 1048576 else f"{kib / 1024:.0f} MiB"


def geomean(values):
    values = [v for v in values if is_number(v) and v > 0]
    if not values:
        return None
    return math.exp(sum(math.log(v) for v in values) / len(values))


# ---------------------------------------------------------------- header

def header_section(run):
    m = run.get("machine") if isinstance(run.get("machine"), dict) else {}
    started = m.get("started_at") or run.get("started_at")
    finished = m.get("finished_at") or run.get("finished_at")
    versions = m.get("versions") if isinstance(m.get("versions"), dict) else {}
    out = [f"# oci-policyd comparative study — run {run.get('run_id', 'n/a')}", ""]
    out += md_table(["", ""], [
        ["run id", run.get("run_id", "n/a")],
        ["mode", run.get("mode", "n/a")],
        ["date", f"{started or 'n/a'} → {finished or 'n/a'}"],
        ["duration", fmt_duration(m.get("duration_s"))],
        ["host", m.get("hostname", "n/a")],
        ["kernel", m.get("kernel", "n/a")],
        ["OS", m.get("os", "n/a")],
        ["CPU", f"{m.get('nproc', 'n/a')} × {m.get('cpu_model', 'n/a')}"],
        ["memory", fmt_kib(m.get("mem_total_kib"))],
        ["virtualization", m.get("virtualization", "n/a")],
        ["versions", ", ".join(f"{k} {v}" for k, v in versions.items()) or "n/a"],
    ])
    out += ["", "**Every number in this report was measured in this run** (or is derived from "
            "numbers measured in it: counts, ratios, geometric means); nothing is filled in from "
            "elsewhere. The baseline of every ratio is `runc-default`."]
    not_runnable = [c for c in rows(run, "configs") if c.get("runnable") is not True]
    if not_runnable:
        out += ["", "Configurations not runnable on this host (no numbers for them):"]
        out += [f"- **{c.get('name')}** ({c.get('runtime', '?')}): "
                f"{c.get('reason') or 'no reason given'}" for c in not_runnable]
    out += ["", "Configurations:", ""]
    out += md_table(["config", "runtime", "policyd", "description"], [
        [c.get("name"), c.get("runtime", ""), "yes" if c.get("policyd") else "no",
         c.get("description") or (f"not runnable: {c.get('reason')}" if c.get("reason") else "")]
        for c in rows(run, "configs")])
    workloads = rows(run, "workloads")
    if workloads:
        out += ["", "Workloads:", ""]
        out += md_table(["workload", "image", "functional check", "load"], [
            [w.get("name"), w.get("image", ""), w.get("functional_check", ""),
             w.get("load_driver", "")] for w in workloads])
    return out


# ---------------------------------------------------------------- compatibility

def compat_cell(run, config, workload, compat):
    if config not in runnable_configs(run):
        return "— (not runnable)"
    r = compat.get((config, workload))
    if r is None:
        return "missing"
    if r.get("ok") is True:
        return "✓"
    return f"✗ {r.get('detail') or 'no detail'}"


def compat_section(run):
    compat = index(run, "compat", "config", "workload")
    configs = config_names(run)
    out = ["## Compatibility", "",
           "The workload's functional check under each configuration (✓ passed, ✗ failed).", ""]
    out += md_table(["workload"] + configs, [
        [w] + [compat_cell(run, c, w, compat) for c in configs] for w in workload_names(run)])
    return out


# ---------------------------------------------------------------- security

def probe_names(run):
    names = []
    for r in rows(run, "probes"):
        if r.get("probe") and r["probe"] not in names:
            names.append(r["probe"])
    return names


def probe_cell(r):
    if r is None:
        return "missing"
    result = r.get("result", "?")
    if result == "blocked":
        return f"blocked ({r.get('layer') or '?'})"
    if result == "allowed":
        return "**allowed**"
    if result == "error":
        return f"error ({r.get('detail') or r.get('errno') or '?'})"
    return str(result)


def blocked_set(probes, config, workload):
    return {p for (c, w, p), r in probes.items()
            if c == config and w == workload and r.get("result") == "blocked"}


def probe_summary_table(run, probes):
    configs = runnable_configs(run)
    body = []
    for w in workload_names(run):
        line = [w]
        for c in configs:
            mine = [r for (cc, ww, _), r in probes.items() if cc == c and ww == w]
            if not mine:
                line.append("missing")
                continue
            n_blocked = sum(1 for r in mine if r.get("result") == "blocked")
            n_err = sum(1 for r in mine if r.get("result") == "error")
            text = f"blocked {n_blocked} of {len(mine)}"
            line.append(text + (f" ({n_err} error)" if n_err else ""))
        body.append(line)
    return md_table(["workload"] + configs, body)


def probe_meta(run):
    """probe -> (class, cves) from the first row that names them."""
    meta = {}
    for r in rows(run, "probes"):
        p = r.get("probe")
        if p and p not in meta:
            cves = r.get("cves") if isinstance(r.get("cves"), list) else []
            meta[p] = (r.get("class", ""), cves)
    return meta


def probe_matrix(run, probes, workload):
    configs = runnable_configs(run)
    meta = probe_meta(run)
    body = []
    for p in probe_names(run):
        cls, cves = meta.get(p, ("", []))
        body.append([f"`{p}`", cls, ", ".join(cves) or "—"]
                    + [probe_cell(probes.get((c, workload, p))) for c in configs])
    return md_table(["probe", "class", "CVEs"] + configs, body)


def layers_of(probes, config, workloads, probe):
    return sorted({probes[(config, w, probe)].get("layer") or "?" for w in workloads
                   if (config, w, probe) in probes})


def workloads_text(found, all_workloads):
    return f"all {len(all_workloads)}" if found == all_workloads else ", ".join(found)


def policyd_gain_table(run, probes):
    """Probes a policyd config blocks that the same runtime's default does not (and the reverse)."""
    pairs = [(p, d) for p, d in POLICYD_PAIRS.items() if p in runnable_configs(run)]
    workloads = workload_names(run)
    gained, lost = {}, {}
    for pol, dflt in pairs:
        for w in workloads:
            mine, theirs = blocked_set(probes, pol, w), blocked_set(probes, dflt, w)
            for p in mine - theirs:
                gained.setdefault(p, {}).setdefault(pol, []).append(w)
            for p in theirs - mine:
                lost.setdefault(p, {}).setdefault(pol, []).append(w)
    out = []
    order = probe_names(run)
    if gained:
        body = []
        for p in [p for p in order if p in gained]:
            line = [f"`{p}`"]
            for pol, _ in pairs:
                found = gained[p].get(pol)
                line.append(f"{workloads_text(found, workloads)} "
                            f"({', '.join(layers_of(probes, pol, found, p))})" if found else "—")
            body.append(line)
        out += md_table(["probe"] + [f"{pol} (vs {d})" for pol, d in pairs], body)
    else:
        out.append("No probe is blocked by a policyd configuration and not by its default.")
    if lost:
        out += ["", "**Blocked by the default but not by policyd** (a regression):", ""]
        out += md_table(["probe"] + [pol for pol, _ in pairs], [
            [f"`{p}`"] + [", ".join(lost[p].get(pol, [])) or "—" for pol, _ in pairs]
            for p in order if p in lost])
    return out


def gvisor_comparison(run, probes):
    """Per policyd config and workload: probes only gVisor blocks, and only policyd blocks."""
    if "gvisor" not in runnable_configs(run):
        return []
    body = []
    for pol in [p for p in POLICYD_PAIRS if p in runnable_configs(run)]:
        for w in workload_names(run):
            mine, gv = blocked_set(probes, pol, w), blocked_set(probes, "gvisor", w)
            body.append([pol, w, len(mine & gv), ", ".join(sorted(gv - mine)) or "—",
                         ", ".join(sorted(mine - gv)) or "—"])
    out = ["### policyd compared with gVisor", ""]
    return out + md_table(["config", "workload", "blocked by both", "only gVisor blocks",
                           "only policyd blocks"], body)


def varying_probes(run, probes):
    """Lines naming probes whose result under a config differs from one workload to another."""
    out = []
    workloads = workload_names(run)
    for c in runnable_configs(run):
        for p in probe_names(run):
            results = {w: probe_cell(probes.get((c, w, p))) for w in workloads}
            if len(set(results.values())) > 1:
                out.append(f"- {c}, `{p}`: " + "; ".join(f"{w}: {v}" for w, v in results.items()))
    return out


def group_by_config(run, items):
    """[(config, workload, value)] -> [(config, workloads text, value)], one entry per distinct
    value of a config, "all N" when every workload has the same value."""
    all_w = workload_names(run)
    out = []
    for c in [c for c in config_names(run) if any(i[0] == c for i in items)]:
        values = []
        for _, w, v in [i for i in items if i[0] == c]:
            for entry in values:
                if entry[1] == v:
                    entry[0].append(w)
                    break
            else:
                values.append(([w], v))
        out += [(c, workloads_text(ws, all_w), v) for ws, v in values]
    return out


def probe_context_table(run):
    ctx = rows(run, "probe_context")
    if not ctx:
        return []
    fields = ["uid", "seccomp_mode", "seccomp_filters", "no_new_privs", "cap_eff",
              "landlock_shim", "kernel_release"]
    items = [(r.get("config"), r.get("workload"),
              tuple(value_or_na(r, f, fmt_plain) for f in fields)) for r in ctx]
    out = ["### How the probe process was confined", "",
           "Read by the probe itself from /proc/self/status.", ""]
    return out + md_table(["config", "workloads"] + fields,
                          [[c, ws] + list(v) for c, ws, v in group_by_config(run, items)])


def security_section(run):
    probes = index(run, "probes", "config", "workload", "probe")
    out = ["## Security: escape probes", "",
           "Each probe takes the first privileged step of a container-escape technique "
           "(eval/probes/README.md). `allowed` means the step was not stopped, not that the "
           "container escaped; `blocked (layer)` names the layer that stopped it.", ""]
    if not probes:
        return out + ["No probe results in this run."]
    out += ["### Probes blocked per configuration", ""]
    out += probe_summary_table(run, probes)
    first = workload_names(run)[0]
    out += ["", f"### Probe × configuration, workload `{first}`", ""]
    out += probe_matrix(run, probes, first)
    varying = varying_probes(run, probes)
    out += ["", "### Results that differ between workloads", ""]
    out += varying or ["None: under each configuration every probe gave the same result for "
                       "every workload."]
    out += ["", "### What policyd adds over the same runtime's default", ""]
    out += policyd_gain_table(run, probes)
    gv = gvisor_comparison(run, probes)
    if gv:
        out += [""] + gv
    ctx = probe_context_table(run)
    if ctx:
        out += [""] + ctx
    return out


# ---------------------------------------------------------------- policies and attack surface

def policies_section(run):
    pols = rows(run, "policies")
    out = ["## Learned policies", "",
           "What the harness learned and approved for the policyd configurations.", ""]
    if not pols:
        return out + ["No policies in this run."]
    body = []
    for r in pols:
        excluded = r.get("excluded") if isinstance(r.get("excluded"), list) else []
        body.append([r.get("config"), r.get("workload"), r.get("profile", ""),
                     r.get("version", ""), r.get("learn_runs", ""),
                     len(r.get("syscalls") or []), len(r.get("capabilities") or []),
                     "yes" if r.get("landlock") else "no",
                     ", ".join(f"{e.get('name')} ({e.get('reason')})" for e in excluded
                               if isinstance(e, dict)) or "—"])
    return out + md_table(["config", "workload", "profile", "version", "learn runs", "syscalls",
                           "capabilities", "Landlock", "excluded"], body)


def kernel_filter_text(r):
    kf = r.get("syscalls_kernel_filter")
    if not isinstance(kf, dict):
        return value_or_na(r, "syscalls_kernel_filter")
    return f"{fmt_num(kf.get('always'))} / {fmt_num(kf.get('conditional'))}"


def surface_section(run):
    surface = index(run, "surface", "config", "workload")
    out = ["## Attack surface", "",
           "Syscalls declared: ALLOW names in the seccomp profile handed to the runtime. Kernel "
           "filter: syscalls the loaded filter always / conditionally allows.", ""]
    if not surface:
        return out + ["No attack-surface rows in this run."]
    body, notes, caps = [], [], []
    for c in runnable_configs(run):
        for w in workload_names(run):
            r = surface.get((c, w))
            if r is None:
                body.append([c, w, "missing", "missing", "missing"])
                continue
            declared = value_or_na(r, "syscalls_declared")
            if declared == "n/a" and r.get("host_syscalls_note"):
                declared = "n/a (see the note below)"
            body.append([c, w, declared, kernel_filter_text(r), value_or_na(r, "cap_count")])
            if r.get("host_syscalls_note"):
                notes.append((c, w, r["host_syscalls_note"]))
            caps.append((c, w, tuple(r.get("capabilities") or [])))
    out += md_table(["config", "workload", "syscalls declared",
                     "kernel filter (always / conditional)", "capabilities"], body)
    if notes:
        out += ["", "Notes:"]
        out += [f"- {c} ({ws}): {note}" for c, ws, note in group_by_config(run, notes)]
    out += ["", "<details><summary>Capabilities per configuration and workload</summary>", ""]
    out += [f"- **{c}** ({ws}), {len(v)}: {', '.join(v) or 'none'}"
            for c, ws, v in group_by_config(run, caps)]
    return out + ["", "</details>"]


# ---------------------------------------------------------------- performance tables

def perf_index(run):
    return index(run, "perf", "metric", "config", "workload")


def metrics_present(run):
    present = {r.get("metric") for r in rows(run, "perf")}
    return [m for m in METRICS if m in present] + sorted(p for p in present - set(METRICS) if p)


def metric_heading(run, metric):
    sample = next((r for r in rows(run, "perf") if r.get("metric") == metric), {})
    unit = sample.get("unit") or "?"
    hib = sample.get("higher_is_better")
    direction = "higher is better" if hib is True else "lower is better" if hib is False else ""
    label = METRICS.get(metric, metric)
    return f"### `{metric}` — {label} ({unit}{', ' + direction if direction else ''})"


def perf_cell(r, with_ratio=True):
    if r is None:
        return "—"
    n = len(r.get("samples") or [])
    text = f"{value_or_na(r, 'median')} [{fmt_num(r.get('min'))}–{fmt_num(r.get('max'))}] n={n}"
    if not with_ratio:
        return text
    ratio = r.get("ratio_to_baseline")
    if is_number(ratio):
        return text + (f", ×{ratio:.3f}" if ratio < 10 else f", ×{ratio:.1f}")
    reason = null_reason(r, "ratio_to_baseline")
    return text + (f", ratio n/a ({reason})" if reason else ", ratio n/a")


def perf_metric_table(run, perf, metric):
    configs = [c for c in runnable_configs(run)
               if any(k[0] == metric and k[1] == c for k in perf)]
    workloads = [w for w in workload_names(run) if any(k[0] == metric and k[2] == w for k in perf)]
    with_ratio = metric not in NO_BASELINE_METRICS
    body = [[w] + [perf_cell(perf.get((metric, c, w)), with_ratio) for c in configs]
            for w in workloads]
    return md_table(["workload"] + configs, body)


def perf_section(run, plots):
    perf = perf_index(run)
    out = ["## Performance", "",
           "Each cell: median [min–max] of n repeats, and ×ratio = median / median of "
           "`runc-default` for the same metric and workload (read it with the metric's direction).",
           ""]
    if not perf:
        return out + ["No performance rows in this run."]
    for family, title, metrics, png in FAMILIES:
        present = [m for m in metrics_present(run) if m in metrics]
        if not present:
            continue
        out += [f"### {title}", ""]
        if family in plots:
            out += [f"![{title}]({png})", ""]
        for m in present:
            out += ["#" + metric_heading(run, m), ""]
            if m == "learning_throughput":
                out += ["Throughput while policyd learns the container, against `runc-default` "
                        "measured back to back in the same phase.", ""]
            if m in NO_BASELINE_METRICS:
                out += ["No ratio: there is no policyd daemon without policyd.", ""]
            out += perf_metric_table(run, perf, m) + [""]
    known = {m for _, _, ms, _ in FAMILIES for m in ms}
    for m in [m for m in metrics_present(run) if m not in known]:
        out += ["#" + metric_heading(run, m), ""] + perf_metric_table(run, perf, m) + [""]
    return out


# ---------------------------------------------------------------- trade-off summary

def tradeoff_rows(run):
    """Per runnable config: probes blocked over all workloads, geometric means of ratios."""
    probes = index(run, "probes", "config", "workload", "probe")
    perf = perf_index(run)
    result = []
    for c in runnable_configs(run):
        mine = [r for (cc, _, _), r in probes.items() if cc == c]
        blocked = sum(1 for r in mine if r.get("result") == "blocked")
        ratios = {}
        for m in ("start_ms", "throughput", "getppid_ns"):
            ratios[m] = geomean([r.get("ratio_to_baseline") for (mm, cc, _), r in perf.items()
                                 if mm == m and cc == c])
        result.append((c, blocked, len(mine), ratios))
    return result


def tradeoff_section(run, plots):
    out = ["## Summary: security against performance", "",
           "Probes blocked summed over all workloads; ratios are geometric means over the "
           "workloads measured (start and getppid: lower is better; throughput: higher is "
           "better).", ""]
    body = []
    for c, blocked, total, ratios in tradeoff_rows(run):
        share = f"{blocked} of {total} ({100 * blocked / total:.0f} %)" if total else "n/a"
        body.append([c, share] + [f"×{ratios[m]:.2f}" if ratios[m] else "n/a"
                                  for m in ("start_ms", "throughput", "getppid_ns")])
    out += md_table(["config", "probes blocked", "start time", "throughput", "getppid"], body)
    if "tradeoff" in plots:
        out += ["", f"![security against throughput]({TRADEOFF_PNG})"]
    return out


def notes_section(run, extra):
    notes = [n for n in (run.get("notes") or []) if isinstance(n, str)]
    out = ["## Notes", ""]
    out += [f"- {n}" for n in notes] or ["- The harness recorded no notes for this run."]
    out += [f"- (report) {n}" for n in extra]
    return out


# ---------------------------------------------------------------- plots

def pyplot():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def bar_series(run, perf, metric):
    """(workloads, [(config, values, err_low, err_high)]) for one metric's subplot.

    Ratio metrics plot ratio_to_baseline with error bars min/baseline_median and
    max/baseline_median; metrics without a baseline plot the median with min/max bars."""
    workloads = [w for w in workload_names(run) if any(k[0] == metric and k[2] == w for k in perf)]
    series = []
    for c in runnable_configs(run):
        vals, lo, hi = [], [], []
        for w in workloads:
            r, base = perf.get((metric, c, w)), perf.get((metric, BASELINE, w))
            v = vmin = vmax = None
            if r is not None and metric in NO_BASELINE_METRICS:
                v, vmin, vmax = r.get("median"), r.get("min"), r.get("max")
            elif r is not None and base is not None and is_number(base.get("median")) \
                    and base["median"] != 0 and is_number(r.get("ratio_to_baseline")):
                bm = base["median"]
                v = r["ratio_to_baseline"]
                vmin = r.get("min") / bm if is_number(r.get("min")) else v
                vmax = r.get("max") / bm if is_number(r.get("max")) else v
            ok = all(is_number(x) for x in (v, vmin, vmax))
            vals.append(v if ok else math.nan)
            lo.append(max(0.0, v - vmin) if ok else 0.0)
            hi.append(max(0.0, vmax - v) if ok else 0.0)
        if any(not math.isnan(v) for v in vals):
            series.append((c, vals, lo, hi))
    return workloads, series


def draw_bars(ax, metric, workloads, series, unit, hib):
    """One grouped bar chart: a group per workload, a bar per config, value over each bar."""
    from matplotlib.ticker import FuncFormatter
    width = 0.8 / max(1, len(series))
    ratio = metric not in NO_BASELINE_METRICS
    finite = [v for _, vals, _, _ in series for v in vals if not math.isnan(v) and v > 0]
    log = bool(ratio and finite and max(finite) / min(finite) > 15)
    for i, (c, vals, lo, hi) in enumerate(series):
        xs = [x - 0.4 + width * (i + 0.5) for x in range(len(workloads))]
        have = [j for j, v in enumerate(vals) if not math.isnan(v)]
        ax.bar([xs[j] for j in have], [vals[j] for j in have], width,
               yerr=[[lo[j] for j in have], [hi[j] for j in have]], capsize=3,
               color=COLORS.get(c), label=c, edgecolor="black", linewidth=0.4,
               error_kw={"elinewidth": 0.8})
        for j, (x, v) in enumerate(zip(xs, vals)):
            if math.isnan(v):
                text, y = "n/a", 1.0 if ratio else 0.0
            else:
                text, y = (f"{v:.2f}" if ratio else fmt_num(v)), v + hi[j]
            ax.annotate(text, (x, y), xytext=(0, 5), textcoords="offset points", ha="center",
                        va="bottom", fontsize=7, rotation=90,
                        bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none",
                              "alpha": 0.8})
    if ratio:
        ax.axhline(1.0, color="black", linestyle="--", linewidth=1)
        if log:
            ax.set_yscale("log")
            ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"{y:g}"))
        better = "higher is better" if hib else "lower is better" if hib is False else ""
        ax.set_ylabel(f"ratio to {BASELINE}" + (" (log scale)" if log else ""))
        ax.set_title(f"{METRICS.get(metric, metric)} ({metric})" + (f", {better}" if better else "")
                     + "; bars: min–max", fontsize=10)
    else:
        ax.set_ylabel(unit or "")
        ax.set_title(f"{METRICS.get(metric, metric)} ({metric}), {unit or ''}: "
                     "median, bars min–max", fontsize=10)
    ax.set_xticks(range(len(workloads)))
    ax.set_xticklabels(workloads)
    ax.set_xlim(-0.6, len(workloads) - 0.4)
    ax.margins(y=0.18)
    ax.grid(axis="y", linestyle=":", linewidth=0.6)
    ax.set_axisbelow(True)


def legend_entries(axes):
    handles, labels = [], []
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    return handles, labels


def plot_family(run, perf, family, title, metrics, png, outdir):
    """Writes one PNG for a metric family; returns False (and writes nothing) without data."""
    panels = []
    for m in metrics:
        workloads, series = bar_series(run, perf, m)
        if series:
            first = next(r for k, r in perf.items() if k[0] == m)
            panels.append((m, workloads, series, first.get("unit"),
                           first.get("higher_is_better")))
    if not panels:
        return False
    plt = pyplot()
    widest = max(len(p[1]) * len(p[2]) for p in panels)
    panel_h, top_in, bottom_in = 3.6, 0.45, 0.45
    height = panel_h * len(panels) + top_in + bottom_in
    fig, axes = plt.subplots(len(panels), 1, squeeze=False,
                             figsize=(min(14.0, max(6.5, 0.36 * widest + 2.5)), height))
    for ax, (m, workloads, series, unit, hib) in zip(axes[:, 0], panels):
        draw_bars(ax, m, workloads, series, unit, hib)
    handles, labels = legend_entries(axes[:, 0])
    fig.legend(handles, labels, loc="lower center", ncol=min(6, len(labels)), fontsize=9,
               frameon=False)
    fig.suptitle(f"{title} — run {run.get('run_id', '')}", fontsize=11)
    fig.tight_layout(rect=(0, bottom_in / height, 1, 1 - 0.1 / height))
    fig.savefig(os.path.join(outdir, png), dpi=DPI)
    plt.close(fig)
    return True


def plot_tradeoff(run, outdir):
    points = [(c, blocked / total, r["throughput"]) for c, blocked, total, r in tradeoff_rows(run)
              if total and r["throughput"]]
    if not points:
        return False
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    for c, share, thr in points:
        ax.scatter([thr], [100 * share], s=80, color=COLORS.get(c), edgecolor="black", zorder=3,
                   marker=MARKERS.get(c, "o"), alpha=0.85, label=c)
    ax.legend(fontsize=8, loc="lower left")
    ax.axvline(1.0, color="black", linestyle="--", linewidth=1)
    ax.set_xlabel(f"throughput, ratio to {BASELINE} (geometric mean over workloads)")
    ax.set_ylabel("escape probes blocked (%)")
    ax.set_title(f"Security against throughput — run {run.get('run_id', '')}", fontsize=10)
    ax.set_ylim(0, 105)
    ax.margins(x=0.2)
    ax.grid(linestyle=":", linewidth=0.6)
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, TRADEOFF_PNG), dpi=DPI)
    plt.close(fig)
    return True


def make_plots(run, outdir, notes):
    """Writes the PNGs; returns the set of families (and "tradeoff") that got one."""
    perf = perf_index(run)
    made = set()
    for family, title, metrics, png in FAMILIES:
        if plot_family(run, perf, family, title, metrics, png, outdir):
            made.add(family)
        else:
            notes.append(f"no plot for {title}: no data in this run")
    if plot_tradeoff(run, outdir):
        made.add("tradeoff")
    return made


# ---------------------------------------------------------------- main

def build_report(run, outdir):
    notes = []
    if run.get("schema") != SCHEMA:
        notes.append(f"schema is {run.get('schema')!r}, this report expects {SCHEMA!r}")
    plots = make_plots(run, outdir, notes)
    parts = [header_section(run), tradeoff_section(run, plots), compat_section(run),
             security_section(run), surface_section(run), policies_section(run),
             perf_section(run, plots), notes_section(run, notes)]
    lines = []
    for p in parts:
        lines += p + [""]
    lines.append("<sub>Generated by eval/report.py from the run's JSON file.</sub>")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description="Markdown report and PNG plots for one eval run.")
    ap.add_argument("run", help="eval/results/RUN_ID.json")
    ap.add_argument("outdir", help="directory for report.md and the PNGs (created if missing)")
    args = ap.parse_args()
    try:
        run = load_run(args.run)
    except (OSError, ValueError) as e:
        sys.exit(f"report.py: cannot read {args.run}: {e}")
    if not isinstance(run, dict):
        sys.exit(f"report.py: {args.run}: not a JSON object")
    os.makedirs(args.outdir, exist_ok=True)
    text = build_report(run, args.outdir)
    with open(os.path.join(args.outdir, "report.md"), "w", encoding="utf-8") as f:
        f.write(text)
    print(os.path.join(args.outdir, "report.md"))


if __name__ == "__main__":
    main()
