# SPDX-License-Identifier: Apache-2.0
"""A private Postfix for the e-mail tests: Debian's postfix package, run as
its own instance (postfix -c DIR, its own main.cf, master.cf, queue and
log) on a loopback port, with STARTTLS under a certificate of a CA made for
the run, delivering every message for its domains into one Maildir under
the run directory. The system's Postfix (/etc/postfix) is neither
configured nor started: the package is only the programs.

Started as root (postfix's master must be); its daemons run as the
`postfix` user, which owns the instance's directories."""
import email
import email.policy
import grp
import os
import pwd
import shutil
import socket
import subprocess
import time
from pathlib import Path

MASTER_CF = """\
{listen} inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""

DOMAINS = "invqr.test"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


class Postfix:
    def __init__(self, base, login=None):
        """login=(user, password): a relay that takes mail only from a client
        signed in with SMTP AUTH (Cyrus SASL, its own sasldb), over TLS only."""
        self.login = login
        self.base = Path(base)
        self.etc = self.base / "etc"
        self.maildir = self.base / "maildir"
        self.port = free_port()
        self.ca = self.base / "ca.pem"
        self.log = self.base / "maillog"

    @property
    def transport(self):
        return f"smtp://127.0.0.1:{self.port}"

    def _certs(self):
        d = self.base
        _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "2",
                 "-subj", "/CN=invqr test mail CA", "-keyout", "ca.key", "-out", "ca.pem",
                 "-addext", "basicConstraints=critical,CA:TRUE",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)
        _openssl("req", "-newkey", "rsa:2048", "-nodes", "-sha256", "-subj", "/CN=127.0.0.1",
                 "-keyout", "mta.key", "-out", "mta.csr", cwd=d)
        (d / "san.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
        _openssl("x509", "-req", "-in", "mta.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                 "-CAcreateserial", "-days", "2", "-sha256", "-extfile", "san.ext",
                 "-out", "mta.pem", cwd=d)

    def start(self):
        if self.base.exists():
            shutil.rmtree(self.base)
        for sub in ("etc", "queue", "data", "maildir"):
            (self.base / sub).mkdir(parents=True)
        self._certs()
        pf = pwd.getpwnam("postfix")
        for sub in ("data", "maildir"):
            os.chown(self.base / sub, pf.pw_uid, pf.pw_gid)
        os.chmod(self.base, 0o755)
        (self.etc / "main.cf").write_text(f"""\
compatibility_level = 3.6
queue_directory = {self.base}/queue
data_directory = {self.base}/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = {self.log}
maillog_file_prefixes = {self.base}
myhostname = mta.invqr.test
mydomain = invqr.test
myorigin = $myhostname
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
relay_domains =
virtual_mailbox_domains = {DOMAINS}
virtual_mailbox_base = {self.maildir}
virtual_mailbox_maps = static:inbox/
virtual_uid_maps = static:{pf.pw_uid}
virtual_gid_maps = static:{pf.pw_gid}
virtual_minimum_uid = 1
smtpd_tls_cert_file = {self.base}/mta.pem
smtpd_tls_key_file = {self.base}/mta.key
smtpd_tls_security_level = may
smtpd_tls_loglevel = 1
smtpd_banner = $myhostname ESMTP
biff = no
append_dot_mydomain = no
alias_maps =
alias_database =
""" + self._access(pf))
        (self.etc / "master.cf").write_text(MASTER_CF.format(listen=f"127.0.0.1:{self.port}"))
        self._postfix("start")
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    if s.recv(100).startswith(b"220"):
                        return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("postfix did not come up: " + self.log_text())

    def _access(self, pf):
        """main.cf's lines for who may send: loopback, or only a client signed
        in with SMTP AUTH (with the sasldb those lines read)."""
        if self.login is None:
            return ("mynetworks = 127.0.0.0/8\n"
                    "smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination\n")
        user, password = self.login
        # Debian's Postfix reads smtpd.conf from $config_directory/sasl
        # whatever cyrus_sasl_config_path says; both name the same place
        sasl = self.etc / "sasl"
        sasl.mkdir()
        (sasl / "smtpd.conf").write_text(
            f"pwcheck_method: auxprop\nauxprop_plugin: sasldb\n"
            f"sasldb_path: {sasl}/sasldb2\nmech_list: PLAIN LOGIN\n")
        subprocess.run(["saslpasswd2", "-p", "-c", "-f", str(sasl / "sasldb2"),
                        "-u", "mta.invqr.test", user],
                       input=password + "\n", text=True, check=True, capture_output=True)
        for f in sasl.iterdir():
            os.chown(f, pf.pw_uid, pf.pw_gid)
            os.chmod(f, 0o600)
        os.chown(sasl, pf.pw_uid, pf.pw_gid)
        # nobody relays by address: mail is taken from a signed-in client only
        return f"""\
mynetworks =
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
cyrus_sasl_config_path = {sasl}
smtpd_sasl_local_domain = mta.invqr.test
smtpd_tls_auth_only = yes
smtpd_relay_restrictions = permit_sasl_authenticated, reject
smtpd_recipient_restrictions = permit_sasl_authenticated, reject
"""

    def _postfix(self, what):
        # postfix says why it fails on a terminal or in syslog only: read the log
        r = subprocess.run(["/usr/sbin/postfix", "-c", str(self.etc), what],
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise RuntimeError(f"postfix {what}: {r.stdout}{r.stderr}{self.log_text()[-2000:]}")

    def _master_pid(self):
        try:
            return int((self.base / "queue" / "pid" / "master.pid").read_text().strip())
        except (OSError, ValueError):
            return None

    def _halt(self, what):
        """postfix stop (or abort), then wait until the master has exited."""
        pid = self._master_pid()
        try:
            self._postfix(what)
        except RuntimeError:
            self._postfix("abort")
        deadline = time.time() + 20
        while pid is not None and os.path.exists(f"/proc/{pid}") and time.time() < deadline:
            time.sleep(0.1)
        assert pid is None or not os.path.exists(f"/proc/{pid}"), \
            "postfix did not stop: " + self.log_text()[-2000:]

    def stop(self):
        """Stop the instance and, unless INVQR_KEEP_RUN=1, remove its files."""
        self._halt("stop")
        if os.environ.get("INVQR_KEEP_RUN") != "1":
            shutil.rmtree(self.base, ignore_errors=True)

    def pause(self):
        """Stop the instance but keep what it has (a failing MTA)."""
        self._halt("stop")

    def resume(self):
        self._postfix("start")
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)

    def log_text(self):
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def messages(self):
        """The delivered messages, oldest first, as email.message.EmailMessage."""
        new = self.maildir / "inbox" / "new"
        if not new.is_dir():
            return []
        files = sorted(new.iterdir(), key=lambda f: f.stat().st_mtime_ns)
        return [email.message_from_bytes(f.read_bytes(), policy=email.policy.default)
                for f in files]

    def wait_for(self, count, timeout=30):
        """The messages once there are count of them (delivery is asynchronous
        after the MTA accepted: the queue manager hands them to virtual)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            got = self.messages()
            if len(got) >= count:
                return got
            time.sleep(0.2)
        raise AssertionError(f"{len(self.messages())} messages delivered, expected {count}; "
                             f"maillog:\n{self.log_text()[-3000:]}")
