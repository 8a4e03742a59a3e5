# SPDX-License-Identifier: Apache-2.0
"""invqr test harness: one real invqr instance (private MariaDB, invqr-worker,
httpd with mod_invqr) started through script/server, shared by the session.

Used by tests/integration and tests/browser through their conftest.py.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[1]
BUILD = Path(os.environ.get("INVQR_BUILD", ROOT / "build")).resolve()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Instance:
    def __init__(self, run, port, env=None):
        self.run = run
        self.port = port
        self.extra_env = env or {}
        self.origin = f"http://127.0.0.1:{port}"
        # everything of invqr is under its base path (INVQR_BASE, "/" by default)
        self.url = self.origin + (self.extra_env.get("INVQR_BASE") or "/").rstrip("/")
        self.proc = None

    # -- lifecycle ---------------------------------------------------------
    def start(self):
        env = dict(os.environ)
        env.update(INVQR_RUN=str(self.run), INVQR_PORT=str(self.port),
                   INVQR_BUILD=str(BUILD), INVQR_SKIP_BUILD="1",
                   INVQR_TEST_FAULTS="yes")
        env.update(self.extra_env)
        self.log = open(self.run.parent / f"{self.run.name}-server.out", "w")
        self.proc = subprocess.Popen([str(ROOT / "script" / "server")], env=env,
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("script/server exited: " +
                                   Path(self.log.name).read_text()[-3000:])
            try:
                if requests.get(self.url + "/", timeout=2).status_code == 200 and \
                        "invqr demo" in Path(self.log.name).read_text():
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError("invqr did not come up: " + Path(self.log.name).read_text()[-3000:])

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                raise
        self.log.close()
        # SIGTERM must leave nothing behind: no httpd, worker or MariaDB of ours
        left = self.processes()
        assert not left, "processes left after SIGTERM: %s" % left

    def processes(self):
        """Processes whose command line names this instance's run directory."""
        found = []
        for pid in os.listdir("/proc"):
            if not pid.isdigit() or int(pid) == os.getpid():
                continue
            try:
                cmd = open("/proc/%s/cmdline" % pid, "rb").read().replace(b"\0", b" ")
            except OSError:
                continue
            if str(self.run).encode() in cmd:
                found.append((int(pid), cmd.decode("utf-8", "replace")[:120]))
        return found

    # -- helpers -------------------------------------------------------------
    @property
    def conf(self):
        return self.run / "invqr.conf"

    def admin(self, *args, stdin=None, check=None):
        r = subprocess.run([str(BUILD / "invqr-admin"), "--config", str(self.conf), *args],
                           input=stdin, capture_output=True, text=True, timeout=600)
        if check is not None:
            assert r.returncode == check, (r.returncode, r.stdout, r.stderr)
        return r

    def sql(self, query, *, user="root"):
        """Run SQL as MariaDB root over the private socket; rows as tuples of str."""
        sock = self.conf_value("db_socket")
        r = subprocess.run(["mariadb", "--no-defaults", f"--socket={sock}", "-uroot", "-N",
                            "-B", "invqr", "-e", query], capture_output=True, text=True,
                           timeout=60)
        assert r.returncode == 0, r.stderr
        return [tuple(line.split("\t")) for line in r.stdout.splitlines()]

    def sql_as_app(self, query):
        sock = self.conf_value("db_socket")
        return subprocess.run(["mariadb", "--no-defaults", f"--socket={sock}",
                               "-u" + self.conf_value("db_user"),
                               "-p" + self.conf_value("db_password"), "-N", "-B", "invqr",
                               "-e", query], capture_output=True, text=True, timeout=60)

    def conf_value(self, key):
        for line in self.conf.read_text().splitlines():
            k, _, v = line.partition("=")
            if k.strip() == key:
                return v.strip()
        raise KeyError(key)

    def logs(self):
        return {"httpd": self.run / "log" / "error.log", "worker": self.run / "log" / "worker.log"}


# Lines that are not a problem whatever the test does.
ALWAYS_ALLOWED = [
    r"INVQR0102: InvQRDemoLogin is On",
    r"INVQR0311: test_faults is on",
    r"AH00489: .* configured -- resuming normal operations",
    r"AH00094: Command line",
    r"AH00492: caught SIGWINCH",
    r"AH00491: caught SIGTERM",
    r"\[notice\]", r":notice\]",
    r"\[info\]", r":info\]",
]



# -- HTTP helpers used by the tests ---------------------------------------------


CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html):
    m = CSRF_RE.search(html)
    assert m, "page has no CSRF token"
    return m.group(1)


def visible_text(html):
    """What a reader sees: the page without its markup, so that random tokens
    in attributes (CSRF, codes in links) cannot hold a needle by chance."""
    return re.sub(r"<[^>]+>", " ", html)


def demo_login(s, invqr, fiscal_code):
    page = s.get(invqr.url + "/citizen")
    assert page.status_code == 200
    r = s.post(invqr.url + "/citizen/demo-login",
               data={"csrf": csrf_of(page.text), "fiscal_code": fiscal_code},
               allow_redirects=False)
    assert r.status_code == 303, r.text
    return r


def unexpected_log_lines(inst, offsets, allowed):
    bad = []
    for name, path in inst.logs().items():
        if not path.exists():
            continue
        with open(path, "rb") as f:
            f.seek(offsets.get(name, 0))
            for raw in f.read().decode("utf-8", "replace").splitlines():
                if not any(re.search(a, raw) for a in allowed):
                    bad.append(f"{name}: {raw}")
    return bad


def log_offsets(inst):
    return {name: (path.stat().st_size if path.exists() else 0)
            for name, path in inst.logs().items()}


def start_instance(name="test", env=None, extra_conf=None, vhost_conf=None, port=None):
    """A new instance; extra_conf is httpd configuration added to it,
    vhost_conf configuration added inside its virtual host; port, when
    given, the port it listens on (a free one otherwise)."""
    run = ROOT / "run" / f"{name}-{os.getpid()}"
    if run.exists():
        shutil.rmtree(run)
    run.mkdir(parents=True)
    if extra_conf:
        (run / "httpd" / "extra").mkdir(parents=True)
        (run / "httpd" / "extra" / "test.conf").write_text(extra_conf)
    if vhost_conf:
        (run / "httpd" / "vhost").mkdir(parents=True)
        (run / "httpd" / "vhost" / "test.conf").write_text(vhost_conf)
    inst = Instance(run, port or free_port(), env)
    inst.start()
    return inst


def module_instance(name, env=None, extra_conf=None, allowed=(), **kw):
    """For a module-scoped fixture: a further instance, started with env and
    extra_conf (and start_instance's keywords), yielded, then stopped; fails
    if its logs gained a line that is neither harmless nor in allowed."""
    inst = start_instance(name, env, extra_conf=extra_conf, **kw)
    offsets = log_offsets(inst)
    yield inst
    bad = unexpected_log_lines(inst, offsets, [r"\[notice\]", r":notice\]", r":info\]",
                                               r"AH00", *ALWAYS_ALLOWED, *allowed])
    stop_instance(inst)
    assert not bad, bad


def stop_instance(inst):
    inst.stop()
    if os.environ.get("INVQR_KEEP_RUN") != "1":
        shutil.rmtree(inst.run, ignore_errors=True)


# -- test data -------------------------------------------------------------------

_ODD = dict(zip("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 1, 0, 5, 7, 9, 13, 15, 17, 19, 21,
                 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23]))


def fiscal_code(first15):
    """A valid fiscal code: first15 plus its check character."""
    total = 0
    for i, c in enumerate(first15):
        if i % 2 == 0:
            total += _ODD[c]
        else:
            total += int(c) if c.isdigit() else ord(c) - 65
    return first15 + chr(65 + total % 26)


CSV_HEADER = ("fiscal_code,surname,given_name,birth_date,mobile,definitive,judgment_date,"
              "review_date,civil_invalidity,invalidity_percent,minor_invalidity,"
              "attendance_allowance,civil_blindness,deafness,handicap,medical_judgment")


def citizen_row(fc, surname="Verdi", given="Anna", mobile="+393331112233", definitive="Y",
                civ="Y", pct="70", minor="N", att="N", blind="NONE", deaf="N", hcap="ART3_C1",
                judgment="Giudizio di prova", review=""):
    def q(v):
        return '"' + v.replace('"', '""') + '"' if any(c in v for c in ',"\n') else v
    return ",".join(q(v) for v in [fc, surname, given, "1960-05-20", mobile, definitive,
                                   "2020-02-01", review, civ, pct, minor, att, blind, deaf,
                                   hcap, judgment])


# -- pytest fixtures shared by tests/integration and tests/browser --------------
# SESSION_ENV: environment for the session's instance (a conftest may add to it
# before the first test, e.g. a configuration key script/lib.sh takes from it).
SESSION_ENV = {}

# Each conftest.py imports them, so both suites start one instance per session
# and fail any test that leaves an error or warning it did not declare with
# @pytest.mark.allow_log(regex) in the httpd or worker log.

def pytest_configure(config):
    config.addinivalue_line("markers", "allow_log(regex, ...): log lines this test expects")


@pytest.fixture(scope="session")
def invqr():
    inst = start_instance(env=SESSION_ENV)
    yield inst
    stop_instance(inst)


@pytest.fixture(autouse=True)
def clean_logs(request, invqr):
    offsets = log_offsets(invqr)
    yield
    allowed = list(ALWAYS_ALLOWED)
    for m in request.node.iter_markers("allow_log"):
        allowed.extend(m.args)
    time.sleep(0.05)
    bad = unexpected_log_lines(invqr, offsets, allowed)
    assert not bad, "unexpected log lines:\n" + "\n".join(bad)
