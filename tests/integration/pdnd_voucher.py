# SPDX-License-Identifier: Apache-2.0
"""PDND vouchers as PDND Interoperabilita' issues them (RS256, typ at+jwt,
kid), signed with the openssl command line by the test instance's stand-in
for PDND (the key script/lib.sh made, pdnd-demo.key in its run directory).
Shared by tests/integration/test_063_pdnd.py and tests/cluster."""
import base64
import json
import subprocess
import time
import uuid

PURPOSE_P, PURPOSE_Q = "5e2b6a1c-0c1d-4a55-9a77-70f1c2d3e4f5", "0b9d8c7e-1a2b-4c3d-8e9f-a0b1c2d3e4f5"
KID = "invqr-demo-pdnd"


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def rs256(key, data):
    return subprocess.run(["openssl", "dgst", "-sha256", "-sign", str(key)], input=data,
                          capture_output=True, check=True).stdout


def make_voucher(invqr, key=None, header=None, drop=(), **claims):
    """A voucher as PDND issues it for this e-service, with changes; invqr
    needs conf_value() and run."""
    now = int(time.time())
    h = {"typ": "at+jwt", "alg": "RS256", "kid": KID}
    h.update(header or {})
    client = str(uuid.uuid4())
    c = {"iss": invqr.conf_value("pdnd_issuer"), "aud": invqr.conf_value("pdnd_audience"),
         "iat": now, "nbf": now, "exp": now + 600, "jti": str(uuid.uuid4()), "sub": client,
         "client_id": client, "purposeId": PURPOSE_P}
    c.update(claims)
    for k in drop:
        c.pop(k)
    signing_input = b64u(json.dumps(h).encode()) + "." + b64u(json.dumps(c).encode())
    if h["alg"] == "none":
        return signing_input + "."
    return signing_input + "." + b64u(rs256(key or invqr.run / "pdnd-demo.key",
                                            signing_input.encode()))
