# SPDX-License-Identifier: Apache-2.0
"""The status store goes away and comes back (docs/contract.md,
Statuses: 503 store unavailable):
each answer in between is the 503 page with Retry-After, or over SOAP an
UNAVAILABLE fault on the server's side, never a raw error or a hang; once
the store is back the same worker answers again, with no restart."""
import os
import subprocess
from pathlib import Path

import pytest
import requests

from harness import ROOT, module_instance
from test_040_verify import generate, new_citizen, sign_in, verify

ENVELOPE = ('<?xml version="1.0"?><s:Envelope xmlns:s="%s" xmlns:v="urn:invqr:verify:1">'
            '<s:Body><v:VerifyLevel1><v:code>%s</v:code><v:fiscalCode>%s</v:fiscalCode>'
            '</v:VerifyLevel1></s:Body></s:Envelope>')
SOAP = {"1.1": ("http://schemas.xmlsoap.org/soap/envelope/", "text/xml; charset=utf-8"),
        "1.2": ("http://www.w3.org/2003/05/soap-envelope", "application/soap+xml; charset=utf-8")}


@pytest.fixture(scope="module")
def fragile():
    # what the worker says while the store is away: it lost the connection,
    # could not reconnect, and answered 503
    yield from module_instance("down", allowed=[r"INVQR0003: cannot connect",
                                                 r"INVQR0004: cannot prepare",
                                                 r"INVQR0008: ", r"INVQR0111: ",
                                                 r"INVQR0121: "])


def soap(inst, version, code, fc):
    ns, ctype = SOAP[version]
    headers = {"Content-Type": ctype}
    if version == "1.1":
        headers["SOAPAction"] = '"urn:invqr:verify:1:VerifyLevel1"'
    return requests.post(inst.url + "/soap", data=(ENVELOPE % (ns, code, fc)).encode(),
                         headers=headers, timeout=30)


def mariadb(inst, *args):
    return subprocess.run(["mariadb-admin", "--no-defaults",
                           "--socket=" + inst.conf_value("db_socket"), "-uroot", *args],
                          capture_output=True, text=True, timeout=60)


def worker_pids(inst):
    return {pid for pid, cmd in inst.processes() if "invqr-worker" in cmd}


def test_store_away_is_503_and_its_return_needs_no_restart(fragile, tmp_path):
    fc, _ = new_citizen(fragile, tmp_path, surname="Assente", given="Alma")
    code = generate(fragile, sign_in(fragile, fc))
    assert verify(fragile, code, fc).status_code == 200
    workers = worker_pids(fragile)
    assert workers

    assert mariadb(fragile, "shutdown").returncode == 0
    try:
        # the page that needs nothing of the store still answers
        assert requests.get(fragile.url + "/", timeout=30).status_code == 200
        r = verify(fragile, code, fc)
        assert r.status_code == 503 and 'data-status="503"' in r.text
        assert int(r.headers["Retry-After"]) > 0
        assert "Alma" not in r.text
        for version, side in (("1.1", "soap:Server"), ("1.2", "Receiver")):
            f = soap(fragile, version, code, fc)
            assert f.status_code == 500 and "UNAVAILABLE" in f.text, f.text[:300]
            assert side in f.text
        # an outage under load: every request fails, the logs do not grow
        # by a line per request (24,828 identical lines in 7 s, once)
        before = {name: len(path.read_text().splitlines()) for name, path in fragile.logs().items()}
        cookie = {"invqr_session": "A" * 43}     # looked up by httpd: the module's lines too
        for _ in range(150):
            assert verify(fragile, code, fc).status_code == 503
            assert requests.get(fragile.url + "/citizen", cookies=cookie,
                                timeout=30).status_code == 503
        grown = {name: len(path.read_text().splitlines()) - before[name]
                 for name, path in fragile.logs().items()}
        # a line per tag, per process, per 10 s: a handful, not hundreds
        assert grown["worker"] <= 10 and grown["httpd"] <= 20, grown
    finally:
        # the store comes back the way script/server starts it
        env = dict(os.environ, INVQR_RUN=str(fragile.run), INVQR_PORT=str(fragile.port),
                   INVQR_SOCKDIR=str(Path(fragile.conf_value("db_socket")).parent))
        subprocess.run(["bash", "-c", '. "%s/script/lib.sh" && db_start' % ROOT], env=env,
                       check=True, timeout=120, capture_output=True)
    # the same worker reconnects: the next answers are right again
    assert verify(fragile, code, fc).status_code == 200
    f = soap(fragile, "1.2", code, fc)
    assert f.status_code == 200 and "Alma Assente" in f.text
    assert worker_pids(fragile) == workers          # no worker was replaced
    log = (fragile.run / "log" / "worker.log").read_text()
    assert "INVQR0003: cannot connect to the status store" in log   # the reason, logged
