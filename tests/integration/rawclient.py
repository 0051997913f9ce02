#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A deliberately misbehaving policyd client for the hostile-input tests.

usage: rawclient.py SOCKET MODE
  garbage   random bytes with a plausible length header
  oversize  a header announcing 4 GiB
  notjson   a well-framed body that is not JSON
  badver    a well-framed request of protocol version 99
  half      half a frame, then waits for the daemon to give up
Prints the daemon's answer ("error: ..." or "closed") on one line.
"""
import json
import os
import socket
import struct
import sys

path, mode = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(15)
s.connect(path)
if mode == "garbage":
    body = os.urandom(512)
    s.sendall(struct.pack(">I", len(body)) + body)
elif mode == "oversize":
    s.sendall(b"\xff\xff\xff\xff" + b"x" * 64)
elif mode == "notjson":
    body = b"{this is not json"
    s.sendall(struct.pack(">I", len(body)) + body)
elif mode == "badver":
    body = json.dumps({"v": 99, "op": "list"}).encode()
    s.sendall(struct.pack(">I", len(body)) + body)
elif mode == "half":
    s.sendall(struct.pack(">I", 1000) + b'{"v":1,')
else:
    sys.exit("unknown mode " + mode)

data = b""
try:
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
except socket.timeout:
    print("timeout")
    sys.exit(0)
except ConnectionResetError:
    # The daemon answered and closed while our surplus bytes were unread: keep the answer.
    pass
if len(data) < 4:
    print("closed")
else:
    msg = json.loads(data[4:])
    print("error: " + msg.get("error", "") if not msg.get("ok") else "ok")
