# SPDX-License-Identifier: Apache-2.0
"""A minimal FastCGI client, to talk to invqr-worker directly (bypassing
httpd) the way an attacker on the same host would."""
import socket
import struct


def _record(rtype, req_id, content):
    return struct.pack("!BBHHBx", 1, rtype, req_id, len(content), 0) + content


def _params(pairs):
    out = b""
    for k, v in pairs.items():
        k, v = k.encode(), v.encode()
        for n in (len(k), len(v)):
            out += bytes([n]) if n < 128 else struct.pack("!I", n | 0x80000000)
        out += k + v
    return out


def request(sock_path, params, body=b"", timeout=30):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(sock_path)
    msg = _record(1, 1, struct.pack("!HB5x", 1, 0))          # BEGIN_REQUEST, responder
    msg += _record(4, 1, _params(params)) + _record(4, 1, b"")
    if body:
        msg += _record(5, 1, body)
    msg += _record(5, 1, b"")
    s.sendall(msg)
    out = b""
    while True:
        hdr = s.recv(8, socket.MSG_WAITALL)
        if len(hdr) < 8:
            break
        _, rtype, _, clen, plen = struct.unpack("!BBHHBx", hdr)
        data = s.recv(clen + plen, socket.MSG_WAITALL)[:clen] if clen + plen else b""
        if rtype == 6:
            out += data
        elif rtype == 3:
            break
    s.close()
    return out.decode("utf-8", "replace")
