# SPDX-License-Identifier: Apache-2.0
"""GET /health (SPEC, "Running several nodes"): 200 while this node's workers
and store answer, 503 when either is away, and nothing else said: a word of
plain text that no cache keeps. A balancer takes a node out on the 503."""
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

from harness import ROOT, module_instance
from test_085_store_down import mariadb, worker_pids


@pytest.fixture(scope="module")
def node():
    yield from module_instance("health", allowed=[r"INVQR0003: cannot connect",
                                                  r"INVQR0004: cannot prepare",
                                                  r"INVQR0008: ",
                                                  r"INVQR0260: health check failed",
                                                  r"INVQR0311: test_faults is on",
                                                  # the worker is away: mod_proxy says so
                                                  r"AH01079", r"AH00957", r"AH02454",
                                                  r"AH01114", r"AH00898"])


def lib(inst, function):
    """Run one of script/lib.sh's functions for inst, as script/server does."""
    env = dict(os.environ, INVQR_RUN=str(inst.run), INVQR_PORT=str(inst.port),
               INVQR_BUILD=os.environ.get("INVQR_BUILD", str(ROOT / "build")),
               INVQR_SOCKDIR=str(Path(inst.conf_value("db_socket")).parent))
    # no pipes: a daemon started here would hold them open
    subprocess.run(["bash", "-c", '. "%s/script/lib.sh" && %s' % (ROOT, function)], env=env,
                   check=True, timeout=120, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def parent(pid):
    with open("/proc/%d/stat" % pid) as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])


def health(inst):
    return requests.get(inst.url + "/health", timeout=30)


def assert_healthy(inst):
    r = health(inst)
    assert r.status_code == 200
    assert r.text == "ok\n"
    assert r.headers["Content-Type"].startswith("text/plain")
    assert r.headers["Cache-Control"] == "no-store"


def test_health_is_200_and_says_nothing_more(node):
    assert_healthy(node)
    head = requests.head(node.url + "/health", timeout=30)
    assert head.status_code == 200 and head.content == b""
    # only GET and HEAD: a POST is refused, not a second way in
    assert requests.post(node.url + "/health", data="x", timeout=30).status_code == 405


def test_health_is_503_while_the_store_is_down(node):
    assert_healthy(node)
    assert mariadb(node, "shutdown").returncode == 0
    try:
        r = health(node)
        assert r.status_code == 503
        assert r.text == "unavailable\n"
        assert r.headers["Cache-Control"] == "no-store"
    finally:
        lib(node, "db_start")
    assert_healthy(node)


def test_health_is_503_while_the_workers_are_down(node):
    assert_healthy(node)
    workers = worker_pids(node)
    # the supervisor (whose parent is no worker) stops its worker and itself
    supervisors = [pid for pid in workers if parent(pid) not in workers]
    assert len(supervisors) == 1
    os.kill(supervisors[0], signal.SIGTERM)
    deadline = time.monotonic() + 30
    while worker_pids(node) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not worker_pids(node)
    try:
        r = health(node)
        assert r.status_code == 503
        assert r.headers.get("Cache-Control") == "no-store" or "no-store" in \
            r.headers.get("Cache-Control", "")
    finally:
        lib(node, "worker_start")
    deadline = time.monotonic() + 30
    while health(node).status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert_healthy(node)
