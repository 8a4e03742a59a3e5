# SPDX-License-Identifier: Apache-2.0
"""The Debian packages, installed on this machine as README.md's deployment
section says, and a code verified through the installed pieces only.

script/package builds dist/*.deb; apt-get installs them; /etc/invqr/invqr.conf
is edited as an administrator would; invqr-admin migrate and import run from
/usr/bin; the worker runs as invqr-worker.service's ExecStart does, as its
user (systemd is not PID 1 on the test machines, so the test creates the
RuntimeDirectory the unit would and starts the command with setpriv, with
NOTIFY_SOCKET set: the worker must say READY=1 as under systemd); the system
apache2 binary runs a private configuration on a free port that includes
the module's mods-enabled files made by a2enmod invqr. MariaDB is a private
one (never the system service). At the end the packages are purged and the
machine is as it was: the test fails if it finds a trace of them before or
after.

Root only (apt-get, a2enmod, setpriv): skipped otherwise.
"""
import grp
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from harness import csrf_of, free_port  # noqa: E402

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="installs Debian packages: root only")

PACKAGES = ["invqr", "libapache2-mod-invqr"]
UNIT = Path("/lib/systemd/system/invqr-worker.service")
CONF = Path("/etc/invqr/invqr.conf")
# what the packages leave on the machine while installed
TRACES = [Path("/etc/invqr"), Path("/usr/sbin/invqr-worker"), Path("/usr/bin/invqr-admin"),
          Path("/usr/share/invqr"), UNIT, Path("/etc/logrotate.d/invqr"),
          Path("/etc/apache2/mods-available/invqr.load"),
          Path("/etc/apache2/mods-enabled/invqr.load"),
          Path("/usr/lib/apache2/modules/mod_invqr.so"), Path("/var/log/invqr"),
          Path("/var/cache/invqr"), Path("/var/spool/invqr")]
APT = ["apt-get", "-o", "DPkg::Lock::Timeout=600", "-y", "-q"]


def run(cmd, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    kw.setdefault("timeout", 900)
    r = subprocess.run(cmd, **kw)
    assert r.returncode == 0, (cmd, r.returncode, r.stdout[-3000:], r.stderr[-3000:])
    return r


def installed(pkg):
    r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg], capture_output=True, text=True)
    return r.returncode == 0 and "installed" in r.stdout and "not-installed" not in r.stdout


def enabled_modules():
    return {p.name for p in Path("/etc/apache2/mods-enabled").glob("*.load")}


def set_conf(text, key, value):
    pattern = re.compile(rf"^#?\s*{key}\s*=.*$", re.M)
    assert pattern.search(text), key
    return pattern.sub(f"{key} = {value}", text, count=1)


class Machine:
    """Everything the test starts or changes, undone in reverse."""

    def __init__(self):
        self.procs = []
        self.tmp = Path(tempfile.mkdtemp(prefix="invqr-pkg-", dir="/tmp"))
        os.chmod(self.tmp, 0o755)
        self.mods_before = enabled_modules()
        self.user_before = self._user_exists()

    @staticmethod
    def _user_exists():
        try:
            pwd.getpwnam("invqr")
            return True
        except KeyError:
            return False

    def start(self, name, cmd, **kw):
        log = open(self.tmp / f"{name}.out", "w")
        p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, **kw)
        self.procs.append((name, p, log))
        return p

    def stop(self, name):
        for n, p, log in list(self.procs):
            if n == name and p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
                log.close()

    def cleanup(self):
        for name, _, _ in reversed(self.procs):
            self.stop(name)
        present = [p for p in PACKAGES if installed(p)]
        if present:
            run(APT + ["purge", *present], env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
        # a2enmod invqr enabled proxy and proxy_fcgi with it: put back what was
        for mod in enabled_modules() - self.mods_before:
            subprocess.run(["a2dismod", "-q", "-f", mod[:-len(".load")]], capture_output=True)
        # the packages keep their system user on purge, as Debian's do; the
        # test made it, the test removes it
        if not self.user_before and self._user_exists():
            run(["deluser", "--system", "--quiet", "invqr"])
            try:
                grp.getgrnam("invqr")
                run(["delgroup", "--system", "--quiet", "invqr"])
            except KeyError:
                pass
        shutil.rmtree("/run/invqr", ignore_errors=True)
        shutil.rmtree(self.tmp, ignore_errors=True)


@pytest.fixture(scope="module")
def machine():
    left = [p for p in PACKAGES if installed(p)] + [str(t) for t in TRACES if t.exists()]
    if left:
        pytest.fail(f"the machine already has invqr installed ({left}): purge it first")
    m = Machine()
    yield m
    m.cleanup()
    left = [p for p in PACKAGES if installed(p)] + [str(t) for t in TRACES if t.exists()]
    assert not left, f"left behind after purge: {left}"
    assert enabled_modules() == m.mods_before


def notify_listener(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(str(path))
    os.chmod(path, 0o666)   # as systemd's: the service's user sends on it
    s.settimeout(60)
    return s


def start_mariadb(m):
    data, sock, tmp = m.tmp / "db", m.tmp / "mysqld.sock", m.tmp / "dbtmp"
    tmp.mkdir()
    run(["mariadb-install-db", "--no-defaults", "--user=root", f"--datadir={data}",
         f"--tmpdir={tmp}", "--auth-root-authentication-method=normal", "--skip-test-db"])
    m.start("mariadbd", ["mariadbd", "--no-defaults", "--user=root", f"--datadir={data}",
                         f"--tmpdir={tmp}",
                         f"--socket={sock}", f"--pid-file={data}/mariadbd.pid",
                         "--skip-networking", f"--log-error={m.tmp}/mariadb.log"])
    for _ in range(300):
        if subprocess.run(["mariadb-admin", "--no-defaults", f"--socket={sock}", "-uroot",
                           "ping"], capture_output=True).returncode == 0:
            return sock
        time.sleep(0.1)
    raise AssertionError("MariaDB did not start: " + (m.tmp / "mariadb.log").read_text())


def exec_start():
    """The unit's ExecStart, as systemd would run it."""
    line = next(ln for ln in UNIT.read_text().splitlines() if ln.startswith("ExecStart="))
    return shlex.split(line[len("ExecStart="):])


def unit_value(key):
    return [ln.split("=", 1)[1] for ln in UNIT.read_text().splitlines()
            if ln.startswith(key + "=")]


HTTPD_CONF = """\
ServerRoot "{tmp}"
ServerName 127.0.0.1
Listen 127.0.0.1:{port}
PidFile "{tmp}/httpd.pid"
DefaultRuntimeDir "{tmp}"
ErrorLog "{tmp}/error.log"
LogLevel warn invqr:info
User www-data
Group www-data
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
# what a2enmod invqr enabled, as Debian's apache2.conf includes it
Include /etc/apache2/mods-enabled/proxy.load
Include /etc/apache2/mods-enabled/proxy_fcgi.load
Include /etc/apache2/mods-enabled/invqr.load
Include /etc/apache2/mods-enabled/invqr.conf
<Directory />
    Require all denied
</Directory>
<VirtualHost 127.0.0.1:{port}>
    ServerName 127.0.0.1
    InvQRBasePath /invqr
    # no identity provider on a test machine: the demo sign-in stands in
    InvQRDemoLogin On
</VirtualHost>
"""


def test_the_packages_install_run_verify_a_code_and_purge(machine):
    m = machine
    started = time.monotonic()

    # -- build and install ---------------------------------------------------
    run([str(ROOT / "script" / "package")], timeout=1800)
    debs = sorted((ROOT / "dist").glob("*.deb"))
    names = {d.name.split("_")[0] for d in debs}
    assert names == set(PACKAGES), debs
    lint = (ROOT / "dist" / "lintian.txt").read_text()
    assert not re.search(r"^E: ", lint, re.M), lint
    run(APT + ["install", *[f"./{d.relative_to(ROOT)}" for d in debs]], cwd=ROOT,
        env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    built = time.monotonic()

    # -- what the packages made ------------------------------------------------
    st = CONF.stat()
    assert (st.st_mode & 0o777, pwd.getpwuid(st.st_uid).pw_name,
            grp.getgrgid(st.st_gid).gr_name) == (0o640, "root", "invqr")
    assert pwd.getpwnam("invqr").pw_shell in ("/usr/sbin/nologin", "/bin/false")
    assert "/etc/invqr/invqr.conf" in run(["dpkg-query", "-W", "-f=${Conffiles}",
                                           "invqr"]).stdout
    assert not (Path("/etc/apache2/mods-enabled/invqr.load")).exists()  # until a2enmod
    verify = subprocess.run(["systemd-analyze", "verify", str(UNIT)], capture_output=True,
                            text=True)
    assert verify.returncode == 0 and verify.stderr.strip() == "", verify.stderr
    security = run(["systemd-analyze", "security", "--offline=true", str(UNIT)]).stdout
    exposure = float(re.search(r"Overall exposure level for \S+: ([0-9.]+)", security).group(1))
    print(f"\nsystemd-analyze security: {exposure}")
    assert exposure < 2.0, security

    # -- README's steps: edit the configuration, migrate, import -----------------
    sock = start_mariadb(m)
    db_pw, admin_pw = os.urandom(12).hex(), os.urandom(12).hex()
    port = free_port()
    text = CONF.read_text()
    for key, value in [("db_socket", sock), ("db_password", db_pw),
                       ("admin_db_password", admin_pw), ("secret", os.urandom(32).hex()),
                       ("public_base_url", f"http://127.0.0.1:{port}/invqr")]:
        text = set_conf(text, key, value)
    CONF.write_text(text)
    run(["mariadb", "--no-defaults", f"--socket={sock}", "-uroot"], input=f"""
CREATE DATABASE invqr CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER 'invqr'@'localhost' IDENTIFIED BY '{db_pw}';
CREATE USER 'invqr_admin'@'localhost' IDENTIFIED BY '{admin_pw}';
GRANT ALL ON invqr.* TO 'invqr_admin'@'localhost' WITH GRANT OPTION;
""")
    run(["invqr-admin", "migrate"])
    run(["invqr-admin", "import", "/usr/share/invqr/demo/citizens.csv"])

    # -- the worker, as invqr-worker.service starts it ---------------------------
    cmd = exec_start()
    assert cmd[0] == "/usr/sbin/invqr-worker"
    user, group = unit_value("User")[0], unit_value("Group")[0]
    assert unit_value("RuntimeDirectory") == ["invqr"]
    run_dir = Path("/run/invqr")
    run_dir.mkdir(mode=0o750)
    os.chown(run_dir, pwd.getpwnam(user).pw_uid, grp.getgrnam("www-data").gr_gid)
    os.chmod(run_dir, int(unit_value("RuntimeDirectoryMode")[0], 8))
    notify = notify_listener(m.tmp / "notify")
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "NOTIFY_SOCKET": str(m.tmp / "notify")}
    for assignment in unit_value("Environment"):
        k, _, v = assignment.partition("=")
        env[k] = v
    worker = m.start("worker", ["setpriv", f"--reuid={user}", f"--regid={group}",
                                "--init-groups", "--no-new-privs", "--", *cmd], env=env)
    try:
        ready = notify.recv(4096).decode()
    except TimeoutError:
        raise AssertionError("the worker did not get ready: " +
                             (m.tmp / "worker.out").read_text()[-3000:] +
                             Path("/var/log/invqr/worker.log").read_text()[-3000:])
    assert ready.startswith("READY=1"), ready
    assert worker.poll() is None
    assert pwd.getpwuid(Path("/proc", str(worker.pid)).stat().st_uid).pw_name == user

    # -- Apache: a2enmod invqr, a private configuration, the system binary -------
    run(["a2enmod", "-q", "invqr"])
    assert {"invqr.load", "proxy.load", "proxy_fcgi.load"} <= enabled_modules()
    (m.tmp / "httpd.conf").write_text(HTTPD_CONF.format(tmp=m.tmp, port=port))
    run(["/usr/sbin/apache2", "-t", "-f", str(m.tmp / "httpd.conf")])
    m.start("httpd", ["/usr/sbin/apache2", "-f", str(m.tmp / "httpd.conf"), "-DFOREGROUND"])
    base = f"http://127.0.0.1:{port}/invqr"
    for _ in range(200):
        try:
            if requests.get(base + "/", timeout=2).status_code == 200:
                break
        except requests.RequestException:
            pass
        time.sleep(0.1)

    # -- a citizen's code, verified -------------------------------------------------
    s = requests.Session()
    page = s.get(base + "/citizen")
    assert page.status_code == 200
    fc = "RSSMRA75C14H501L"   # Mario Rossi, of the installed demo citizens
    r = s.post(base + "/citizen/demo-login", data={"csrf": csrf_of(page.text),
                                                   "fiscal_code": fc}, allow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    page = s.get(base + "/citizen")
    r = s.post(base + "/citizen/qr", data={"csrf": csrf_of(page.text), "notice": "yes"},
               allow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    code = re.search(r'data-field="code">([0-9A-Z-]{23})<', s.get(base + "/citizen").text)
    assert code, "no code on the citizen page"
    code = code.group(1).replace("-", "")
    # the PDF, made with the installed fonts, and its copy in /var/cache/invqr/pdf
    pdf = s.get(base + "/citizen/qr.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert any(n.endswith(".pdf") for n in os.listdir("/var/cache/invqr/pdf"))
    verifier = requests.Session()
    form = verifier.get(base + "/V/" + code)
    assert form.status_code == 200 and 'name="fiscal_code"' in form.text
    answer = verifier.post(base + "/V/" + code, data={"csrf": csrf_of(form.text),
                                                      "fiscal_code": fc})
    assert answer.status_code == 200
    assert re.search(r'data-field="name">Mario Rossi<', answer.text), answer.text[:2000]
    # the worker wrote its log where the packaged configuration says
    log = Path("/var/log/invqr/worker.log").read_text()
    assert "INVQR0304" in log

    # -- reload as systemctl reload does, then stop --------------------------------
    worker.send_signal(signal.SIGHUP)
    assert notify.recv(4096).decode().startswith("RELOADING=1")
    assert "refused" not in notify.recv(4096).decode()
    assert verifier.get(base + "/V/" + code).status_code == 200
    m.stop("httpd")
    m.stop("worker")
    assert worker.returncode == 0
    notify.close()
    finished = time.monotonic()
    print(f"package build and install {built - started:.0f} s, "
          f"the rest {finished - built:.0f} s")
