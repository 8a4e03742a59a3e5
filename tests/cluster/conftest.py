# SPDX-License-Identifier: Apache-2.0
"""pytest fixtures for the cluster tests: one script/cluster per session (a
3-node Galera cluster, two invqr nodes, the HAProxy front), stopped at the
end with nothing left behind."""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from harness import BUILD, ROOT, csrf_of, demo_login  # noqa: E402

PORTS = 44          # the front, two nodes, and 4 ports of each Galera node above it


def free_base():
    """A port P such that P .. P+PORTS-1 are all free on loopback."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = s.getsockname()[1]
        if base + PORTS > 65535:
            continue
        ok = True
        for p in range(base, base + PORTS):
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", p))
                except OSError:
                    ok = False
                    break
        if ok:
            return base
    raise RuntimeError("no run of %d free ports" % PORTS)


class Cluster:
    def __init__(self, run, port):
        self.run = run
        self.port = port
        self.url = "http://127.0.0.1:%d" % port
        self.node_url = {1: "http://127.0.0.1:%d" % (port + 1),
                         2: "http://127.0.0.1:%d" % (port + 2)}
        self.sockdir = "/tmp/invqr-%d-%d" % (os.getuid(), port)

    def env(self, **extra):
        env = dict(os.environ, INVQR_CLUSTER=str(self.run), INVQR_RUN=str(self.run),
                   INVQR_PIDS=str(self.run / "pids"), INVQR_PORT=str(self.port),
                   INVQR_BUILD=str(BUILD), INVQR_SKIP_BUILD="1",
                   INVQR_SOCKDIR=self.sockdir)
        env.update({k: str(v) for k, v in extra.items()})
        return env

    def start(self):
        self.log = open(self.run.parent / ("%s-cluster.out" % self.run.name), "w")
        self.started = time.monotonic()
        self.proc = subprocess.Popen([str(ROOT / "script" / "cluster")], env=self.env(),
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("script/cluster exited: " +
                                   Path(self.log.name).read_text()[-3000:])
            if "invqr cluster:" in Path(self.log.name).read_text():
                self.startup_seconds = time.monotonic() - self.started
                return
            time.sleep(0.2)
        raise RuntimeError("the cluster did not come up: " +
                           Path(self.log.name).read_text()[-3000:])

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)       # Ctrl-C
            try:
                self.proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                raise
        self.log.close()

    def processes(self):
        """Processes whose command line names this cluster's directories."""
        found = []
        needles = [str(self.run).encode(), self.sockdir.encode()]
        for pid in os.listdir("/proc"):
            if not pid.isdigit() or int(pid) == os.getpid():
                continue
            try:
                cmd = open("/proc/%s/cmdline" % pid, "rb").read().replace(b"\0", b" ")
            except OSError:
                continue
            if any(n in cmd for n in needles):
                found.append((int(pid), cmd.decode("utf-8", "replace")[:400]))
        return found

    def lib(self, function, **extra):
        """Run one of script/lib.sh's functions for this cluster (no pipes: a
        daemon it starts would hold them open)."""
        subprocess.run(["bash", "-c", '. "%s/script/lib.sh" && %s' % (ROOT, function)],
                       env=self.env(**extra), check=True, timeout=300,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def admin(self, *args, check=None, stdin=None, env=None):
        r = subprocess.run([str(ROOT / "script" / "cluster"), "admin", *args],
                           env=self.env(**(env or {})),
                           input=stdin, capture_output=True, text=True, timeout=600)
        if check is not None:
            assert r.returncode == check, (r.returncode, r.stdout, r.stderr)
        return r

    def sql(self, query, node=None):
        """Rows of query on a live Galera node (the first that answers), read
        causally: everything the cluster committed before is seen."""
        nodes = [node] if node else [1, 2, 3]
        last = None
        for n in nodes:
            r = subprocess.run(["mariadb", "--no-defaults", "--socket=%s/db%d.sock" % (self.sockdir, n),
                                "-uroot", "-N", "-B", "invqr", "-e",
                                "SET SESSION wsrep_sync_wait = 1; " + query],
                               capture_output=True, text=True, timeout=60)
            if r.returncode == 0:
                return [tuple(line.split("\t")) for line in r.stdout.splitlines()]
            last = r.stderr
        raise AssertionError(last)

    def pid(self, name):
        return int((self.run / ("%s.pid" % name)).read_text().split()[0])


@pytest.fixture(scope="session")
def cluster():
    run = ROOT / "run" / ("cluster-test-%d" % os.getpid())
    if run.exists():
        shutil.rmtree(run)
    run.mkdir(parents=True)
    c = Cluster(run, free_base())
    c.start()
    print("\ncluster: serving %.1f s after script/cluster started" % c.startup_seconds)
    yield c
    t = time.monotonic()
    c.stop()
    print("\ncluster: stopped in %.1f s" % (time.monotonic() - t))
    left = c.processes()
    assert not left, "processes left after Ctrl-C: %s" % left
    if os.environ.get("INVQR_KEEP_RUN") != "1":
        shutil.rmtree(run, ignore_errors=True)


def sign_in(url, fc):
    class At:       # demo_login wants an object with .url
        pass
    at = At()
    at.url = url
    s = requests.Session()
    demo_login(s, at, fc)
    return s


def generate(url, s, first_time=True):
    page = s.get(url + "/citizen")
    data = {"csrf": csrf_of(page.text)}
    if first_time:
        data["notice"] = "yes"
    r = s.post(url + "/citizen/qr", data=data, allow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    page = s.get(url + "/citizen")
    m = re.search(r'data-field="code">([0-9A-Z-]{23})<', page.text)
    assert m, page.text
    return m.group(1).replace("-", "")
