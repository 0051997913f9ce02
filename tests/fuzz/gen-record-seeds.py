#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the seed records of fuzz-record (corpus/fuzz-record/*.bin): one of each type of
bpf/tracer-events.h, laid out as the x86_64 kernel side writes them. The generated files are
committed; rerun this after changing a record's layout:  python3 tests/fuzz/gen-record-seeds.py
"""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "fuzz-record")
PATH_BUF, NAME_BUF = 1024, 256
EXEC, FILE, CAPABILITY, SOCKET, BIND, CONNECT, INIT_EXIT = range(1, 8)
INIT, WORKLOAD, RUNTIME = 0, 1, 2
MNTNS = 4026532001


def header(type_, size, phase=WORKLOAD, pid=4242):
    # struct event_header: __u32 type, phase; __u64 mntns; __u32 pid, size (24 bytes)
    return struct.pack("<IIQII", type_, phase, MNTNS, pid, size)


def cstr(s, n):
    b = s.encode()[: n - 1]
    return b + b"\0" * (n - len(b))


def exec_event(requested, resolved, secureexec=0, phase=WORKLOAD):
    body = struct.pack("<II", 0, secureexec) + cstr(requested, NAME_BUF) + cstr(resolved, PATH_BUF)
    return header(EXEC, 24 + len(body), phase) + body


def file_event(path, access, error=0, mode=0o100644, major=0, minor=0, phase=WORKLOAD):
    body = struct.pack("<iIIIII", error, access, major, minor, mode, 0) + cstr(path, PATH_BUF)
    return header(FILE, 24 + len(body), phase) + body


def cap_event(cap, ret, syscall, phase=WORKLOAD):
    body = struct.pack("<iiiI", cap, ret, syscall, 0)
    return header(CAPABILITY, 24 + len(body), phase) + body


def net_event(type_, ret, family, port, stype, proto, addr=b""):
    body = struct.pack("<iHHII", ret, family, port, stype, proto) + addr.ljust(16, b"\0")
    return header(type_, 24 + len(body)) + body


SEEDS = {
    "exec-busybox.bin": exec_event("/bin/sh", "/bin/busybox"),
    "exec-setuid-runtime.bin": exec_event("su", "/usr/bin/su", secureexec=1, phase=RUNTIME),
    "file-read.bin": file_event("/etc/passwd", 0x1),
    "file-failed.bin": file_event("/etc/shadow", 0x1 | 0x2, error=13),
    "file-device.bin": file_event("/dev/null", 0x1 | 0x2, mode=0o020666, major=1, minor=3, phase=INIT),
    "file-dir-create.bin": file_event("/tmp/data/x", 0x4 | 0x8 | 0x20 | 0x40),
    "capability.bin": cap_event(10, 0, 49),  # CAP_NET_BIND_SERVICE for bind
    "capability-denied.bin": cap_event(21, -1, -1, phase=RUNTIME),
    "socket.bin": net_event(SOCKET, 3, 2, 0, 1, 0),
    "bind-inet.bin": net_event(BIND, 0, 2, 8080, 1, 6, bytes([0, 0, 0, 0])),
    "connect-inet6.bin": net_event(CONNECT, -111, 10, 443, 1, 6, bytes(15) + b"\x01"),
    "init-exit.bin": header(INIT_EXIT, 24),
    "short.bin": header(FILE, 1072)[:20],
}

if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    print(f"wrote {len(SEEDS)} records to {OUT}")
