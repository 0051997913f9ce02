#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""collect.py RAW OUT.json --run-id ID --mode full|quick --started T --finished T --policyd V --workloads "a b"

Turns the raw files one eval/run.sh run wrote into the single results document eval/SCHEMA.md
describes. Reads RAW/perf.tsv, compat.tsv, notes.txt, probes/CONFIG.WORKLOAD.jsonl (+ .shim),
surface/CONFIG.WORKLOAD.json, cfg/CONFIG.WORKLOAD.json (the config the runtime got),
policies/PROFILE.json (policyctl show --json), load.WORKLOAD.txt. Derives the blocking layer of every
blocked probe from what was measured in the same container: the kernel's seccomp filter, the
capability set and Landlock state the probe process reported, the errno and the probe's kind.
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess

BASELINE = "runc-default"
CONFIGS = [
    ("runc-default", "runc", False, "runc, Podman's default seccomp profile, capabilities and masked paths"),
    ("crun-default", "crun", False, "crun, Podman's default seccomp profile, capabilities and masked paths"),
    ("runc-policyd", "runc", True, "runc + oci-policyd: learned, approved seccomp allowlist, capabilities, "
     "devices, no_new_privs and Landlock (AppArmor not in this kernel)"),
    ("crun-policyd", "crun", True, "crun + oci-policyd: as runc-policyd"),
    ("gvisor", "runsc", False, "gVisor runsc (ptrace platform, host network namespace of the pod), "
     "Podman's defaults otherwise; runsc ignores the OCI seccomp profile without --oci-seccomp"),
]
KATA_REASON = ("Kata Containers has no Debian 12 package and needs hardware virtualisation (KVM) for its "
               "guest VM; this host is itself a VM without usable KVM (/dev/kvm is software-emulated: "
               "qemu -enable-kvm fails, gVisor's platform=kvm hangs). Not measured; no figures are shown.")
WORKLOAD_DESC = {
    "busybox": ("localhost/eval-busybox", "busybox httpd serving a static page; also carries the "
                "start-time, getppid and file I/O microbenchmarks", "GET / returns the page"),
    "nginx": ("localhost/eval-services", "nginx (Debian) serving a static page, 2 workers",
              "GET / returns the page"),
    "redis": ("localhost/eval-services", "redis-server (Debian) as user redis, no persistence",
              "SET, GET and DEL of a random key"),
    "postgresql": ("localhost/eval-services", "PostgreSQL 15 (Debian) as user postgres",
                   "CREATE TABLE, INSERT, SELECT, DROP"),
    "python": ("localhost/eval-services", "python3 -m http.server serving a static page",
               "GET / returns the page"),
}

# probe -> (syscalls it depends on, capability the kernel checks, kind)
# kind: "syscall" (the call itself is the step), "path" (an open of a sensitive path), "state".
PROBES = {
    "unshare-userns": (["unshare"], None, "syscall"),
    "unshare-mountns-tmpfs": (["unshare", "mount"], "CAP_SYS_ADMIN", "syscall"),
    "mount-proc": (["unshare", "mount"], "CAP_SYS_ADMIN", "syscall"),
    "cgroup1-mount-userns": (["unshare", "mount"], None, "syscall"),
    "keyctl": (["keyctl"], None, "syscall"),
    "add_key": (["add_key"], None, "syscall"),
    "bpf-map-create": (["bpf"], "CAP_BPF", "syscall"),
    "perf_event_open": (["perf_event_open"], "CAP_PERFMON", "syscall"),
    "ptrace-attach": (["ptrace"], None, "syscall"),
    "process_vm_readv": (["process_vm_readv"], None, "syscall"),
    "open_by_handle_at": (["open_by_handle_at"], "CAP_DAC_READ_SEARCH", "syscall"),
    "proc-self-exe-write": (["openat"], None, "path"),
    "core_pattern-write": (["openat"], None, "path"),
    "sysrq-trigger-write": (["openat"], None, "path"),
    "uevent_helper-write": (["openat"], None, "path"),
    "release_agent-write": (["openat"], None, "path"),
    "socket-raw-inet": (["socket"], "CAP_NET_RAW", "syscall"),
    "socket-packet": (["socket"], "CAP_NET_RAW", "syscall"),
    "socket-alg": (["socket"], None, "syscall"),
    "socket-vsock": (["socket"], None, "syscall"),
    "io_uring_setup": (["io_uring_setup"], None, "syscall"),
    "userfaultfd": (["userfaultfd"], "CAP_SYS_PTRACE", "syscall"),
    "kexec_load": (["kexec_load"], "CAP_SYS_BOOT", "syscall"),
    "init_module": (["init_module"], "CAP_SYS_MODULE", "syscall"),
    "finit_module": (["finit_module"], "CAP_SYS_MODULE", "syscall"),
    "mknod-block": (["mknodat"], "CAP_MKNOD", "syscall"),
    "chroot": (["chroot"], "CAP_SYS_CHROOT", "syscall"),
    "no_new_privs-off": (["prctl"], None, "state"),
    "capset-raise": (["capset"], "CAP_SETPCAP", "syscall"),
    "proc-kcore-read": (["openat"], "CAP_SYS_RAWIO", "path"),
    "dev-mem-read": (["openat"], "CAP_SYS_RAWIO", "path"),
    "kallsyms-addresses": (["openat"], "CAP_SYSLOG", "state"),
    "settimeofday": (["settimeofday"], "CAP_SYS_TIME", "syscall"),
    "clock_adjtime": (["clock_adjtime"], "CAP_SYS_TIME", "syscall"),
    "swapon": (["swapon"], "CAP_SYS_ADMIN", "syscall"),
    "reboot": (["reboot"], "CAP_SYS_BOOT", "syscall"),
    "iopl": (["iopl"], "CAP_SYS_RAWIO", "syscall"),
    "personality-rie": (["personality"], None, "syscall"),
}
CAP_NAMES = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
             "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
             "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
             "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
             "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
             "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
             "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
             "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE"]


def caps_from_hex(h):
    if h is None:
        return None
    v = int(h, 16)
    return [n for i, n in enumerate(CAP_NAMES) if v >> i & 1]


def load_json(path, default=None):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return default


def lines(path):
    try:
        with open(path) as f:
            return [l.rstrip("\n") for l in f if l.strip()]
    except OSError:
        return []


def sh(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=20).stdout.strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return None


def machine(args):
    meminfo = dict(l.split(":", 1) for l in lines("/proc/meminfo"))
    cpu = next((l.split(":", 1)[1].strip() for l in lines("/proc/cpuinfo") if l.startswith("model name")), None)
    osname = next((l.split("=", 1)[1].strip('"') for l in lines("/etc/os-release")
                   if l.startswith("PRETTY_NAME=")), None)
    virt = sh("systemd-detect-virt") or ("hypervisor" if any("hypervisor" in l for l in lines("/proc/cpuinfo")
                                                             if l.startswith("flags")) else "none")
    return {
        "hostname": platform.node(), "kernel": platform.release(), "nproc": os.cpu_count(),
        "mem_total_kib": int(meminfo["MemTotal"].split()[0]), "cpu_model": cpu, "virtualization": virt,
        "os": osname,
        "versions": {"podman": sh("podman", "--version"), "runc": sh("runc", "--version"),
                     "crun": sh("crun", "--version"), "runsc": sh("runsc", "--version"),
                     "policyd": args.policyd, "wrk": sh("sh", "-c", "wrk --version 2>&1"),
                     "redis-benchmark": sh("redis-benchmark", "--version")},
        "started_at": args.started, "finished_at": args.finished,
    }


def seccomp_sets(surface):
    """(always, conditional) syscall name sets of the kernel filter, or None if not measured."""
    if not surface:
        return None
    if surface.get("filters") == 0:
        return ("*", set())
    return (set(surface.get("always_names", [])), set(surface.get("conditional_names", [])))


def layer(cfg, probe, row, ctx, sets, shim):
    """Which mechanism stopped a blocked probe, from what was measured in this container."""
    if cfg == "gvisor":
        return "gvisor-sentry"  # the call went to gVisor's user-space kernel, never to the host's
    detail, err = row.get("detail", ""), row.get("errno", "")
    syscalls, cap, kind = PROBES.get(probe, ([], None, "syscall"))
    if "SIGSYS" in detail or "seccomp kill" in detail:
        return "seccomp"
    if "masked" in detail:
        return "masked-path"
    if probe == "no_new_privs-off":
        return "no_new_privs"
    if sets and sets[0] != "*" and err in ("EPERM", "ENOSYS", "EACCES"):
        always, cond = sets
        for s in syscalls:
            if s not in always and s not in cond:
                return "seccomp"
        if err in ("EPERM", "ENOSYS") and any(s in cond for s in syscalls) and kind == "syscall":
            return "seccomp"  # an argument rule (e.g. clone/unshare flags, socket families)
    if err == "EROFS":
        return "read-only-mount"
    if probe == "capset-raise" and err == "EPERM":
        return "capabilities"  # beyond the bounding/permitted set
    uid = ctx.get("uid") if ctx else None
    if kind == "path" and err == "EACCES" and uid not in (0, None):
        return "file-permissions"  # a non-root workload meets DAC first (Landlock may deny too)
    if kind == "path" and err == "EACCES" and shim:
        return "landlock"
    held = caps_from_hex(ctx.get("cap_eff")) if ctx else None
    if cap and held is not None and cap not in held and err in ("EPERM", "EACCES", "none", ""):
        return "capabilities"
    if kind == "path" and err in ("ENOENT",):
        return "not-present"
    return "kernel"


def probes_of(raw, cfg, w):
    rows, ctx = [], None
    shim = bool("".join(lines(f"{raw}/probes/{cfg}.{w}.shim")))
    sets = seccomp_sets(load_json(f"{raw}/surface/{cfg}.{w}.json"))
    for l in lines(f"{raw}/probes/{cfg}.{w}.jsonl"):
        try:
            o = json.loads(l)
        except ValueError:
            continue
        if "context" in o:
            ctx = o["context"]
            continue
        if "probe" not in o:
            continue
        o = {"config": cfg, "workload": w, "probe": o["probe"], "class": o.get("class"),
             "cves": o.get("cves", []), "result": o.get("result"), "errno": o.get("errno"),
             "detail": o.get("detail", "")}
        o["layer"] = None  # set below, once the context is complete
        rows.append(o)
    context = None
    if ctx is not None:
        context = {"config": cfg, "workload": w, **ctx, "landlock_shim": shim}
        # What the probes could not read themselves (a Landlock domain hiding /proc/self/status,
        # a filter denying capget): the workload process's status as the host read it.
        host = host_status(raw, cfg, w)
        for key, field, word in (("cap_eff", "CapEff", 0), ("cap_bnd", "CapBnd", 0),
                                 ("seccomp_filters", "Seccomp_filters", 0), ("uid", "Uid", 1)):
            if cfg != "gvisor" and (context.get(key) is None or (key == "uid" and context[key] == 4294967295)) \
                    and field in host:
                v = host[field].split()[word]
                context[key] = int(v) if key in ("uid", "seccomp_filters") else v
                context.setdefault("from_host", []).append(key)
    for o in rows:
        if o["result"] == "blocked":
            o["layer"] = layer(cfg, o["probe"], o, context, sets, shim)
    return rows, context


def host_status(raw, cfg, w):
    out = {}
    for l in lines(f"{raw}/probes/{cfg}.{w}.hoststatus"):
        k, _, v = l.partition(":")
        out[k] = v.strip()
    return out


def declared_syscalls(conf):
    sc = (conf or {}).get("linux", {}).get("seccomp")
    if not sc:
        return None, None
    names = set()
    for r in sc.get("syscalls", []):
        if r.get("action") == "SCMP_ACT_ALLOW":
            names.update(r.get("names", []))
    return len(names), sc.get("defaultAction")


def surface_row(raw, cfg, w, context):
    conf = load_json(f"{raw}/cfg/{cfg}.{w}.json")
    n, default = declared_syscalls(conf)
    s = load_json(f"{raw}/surface/{cfg}.{w}.json")
    k = None
    if s:
        k = {"always": s.get("always"), "conditional": s.get("conditional"), "never": s.get("never"),
             "filters": s.get("filters"), "x32_allowed": s.get("x32_allowed"),
             "i386_allowed": s.get("i386_allowed"),
             "source": f"seccomp-surface on pid {''.join(lines(f'{raw}/surface/{cfg}.{w}.pid'))}"}
    caps = caps_from_hex(context.get("cap_eff")) if context else None
    row = {"config": cfg, "workload": w, "syscalls_declared": n, "seccomp_default_action": default,
           "syscalls_kernel_filter": k, "capabilities": caps, "cap_count": len(caps) if caps is not None else None,
           "capabilities_source": "CapEff of the probe process inside the running container"}
    if cfg == "gvisor":
        row["syscalls_declared"] = None
        row["host_syscalls_note"] = ("runsc ignores the OCI seccomp profile (no --oci-seccomp): the workload's "
                                     "syscalls go to the Sentry, a user-space kernel; the kernel-filter counts are "
                                     "the Sentry's own filter towards the host. Capabilities are those inside the "
                                     "sandbox.")
    if k is None:
        row["syscalls_kernel_filter_reason"] = "seccomp-surface could not read the filter (see notes)"
    return row


def policies(raw, workloads):
    out = []
    for cfg, rt, pd, _ in CONFIGS:
        if not pd:
            continue
        for w in workloads:
            prof = f"eval-{w}-{rt}"
            show = load_json(f"{raw}/policies/{prof}.json")
            if not show:
                continue
            appr = show.get("approved") or {}
            sc = appr.get("seccomp") or {}
            out.append({"config": cfg, "workload": w, "profile": prof, "version": show.get("approved_version",
                        appr.get("version")), "learn_runs": show.get("runs"),
                        "syscalls": sc.get("syscalls", []), "capabilities": appr.get("capabilities", []),
                        "landlock": bool(appr.get("landlock")), "excluded": sc.get("excluded", [])})
    return out


def perf_rows(raw):
    groups = {}
    for l in lines(f"{raw}/perf.tsv"):
        metric, cfg, w, unit, hib, v = l.split("\t")
        g = groups.setdefault((metric, cfg, w), {"unit": unit, "hib": hib == "1", "samples": []})
        g["samples"].append(float(v))
    rows = []
    for (metric, cfg, w), g in sorted(groups.items()):
        xs = g["samples"]
        rows.append({"metric": metric, "config": cfg, "workload": w, "unit": g["unit"],
                     "higher_is_better": g["hib"], "samples": xs, "median": statistics.median(xs),
                     "min": min(xs), "max": max(xs), "stdev": statistics.stdev(xs) if len(xs) > 1 else 0.0,
                     "baseline": BASELINE})
    base = {(r["metric"], r["workload"]): r["median"] for r in rows if r["config"] == BASELINE}
    for r in rows:
        b = base.get((r["metric"], r["workload"]))
        r["ratio_to_baseline"] = r["median"] / b if b else None
        if b is None:
            r["ratio_reason"] = f"no {BASELINE} counterpart (e.g. the daemon exists only with policyd)"
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("raw")
    ap.add_argument("out")
    for a in ("run-id", "mode", "started", "finished", "policyd", "workloads"):
        ap.add_argument("--" + a, required=True)
    args = ap.parse_args()
    raw, workloads = args.raw, args.workloads.split()
    configs = [{"name": n, "runtime": rt, "policyd": pd, "runnable": True, "description": d}
               for n, rt, pd, d in CONFIGS]
    configs.append({"name": "kata", "runtime": "kata-runtime", "policyd": False, "runnable": False,
                    "reason": KATA_REASON})
    doc = {"schema": "oci-policyd-eval/1", "run_id": args.run_id, "mode": args.mode, "machine": machine(args)}
    m = doc["machine"]
    t = lambda s: datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ")
    m["duration_s"] = (t(args.finished) - t(args.started)).total_seconds()
    doc["configs"] = configs
    doc["workloads"] = [{"name": w, "image": WORKLOAD_DESC[w][0], "description": WORKLOAD_DESC[w][1],
                         "functional_check": WORKLOAD_DESC[w][2],
                         "load_driver": " ".join(lines(f"{raw}/load.{w}.txt")) or None} for w in workloads]
    doc["policies"] = policies(raw, workloads)
    doc["compat"] = []
    for l in lines(f"{raw}/compat.tsv"):
        cfg, w, ok, detail = (l.split("\t") + [""])[:4]
        doc["compat"].append({"config": cfg, "workload": w, "ok": ok == "1", "detail": detail})
    doc["probes"], doc["probe_context"], doc["surface"] = [], [], []
    for cfg, *_ in CONFIGS:
        for w in workloads:
            rows, ctx = probes_of(raw, cfg, w)
            doc["probes"] += rows
            if ctx:
                doc["probe_context"].append(ctx)
            if rows or os.path.exists(f"{raw}/surface/{cfg}.{w}.json"):
                doc["surface"].append(surface_row(raw, cfg, w, ctx))
    doc["perf"] = perf_rows(raw)
    doc["notes"] = lines(f"{raw}/notes.txt")
    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    os.replace(tmp, args.out)
    print(f"collect: {args.out}: {len(doc['probes'])} probe results, {len(doc['perf'])} perf rows, "
          f"{len(doc['compat'])} compatibility checks")


if __name__ == "__main__":
    main()
