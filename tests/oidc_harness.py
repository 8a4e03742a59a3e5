# SPDX-License-Identifier: Apache-2.0
"""Citizens signed in for real: an invqr instance behind Debian's
mod_auth_openidc, and a local OpenID provider (tests/oidc/provider.mjs, npm's
oidc-provider) configured as CIE/SPID OpenID Connect are (code flow, PKCE
S256, private_key_jwt, the fiscal code in
https://attributes.eid.gov.it/fiscal_number as TINIT-<CF>).

The httpd configuration is the block between "BEGIN mod_auth_openidc" and
"END mod_auth_openidc" of conf/invqr-vhost.conf.example, as it is, with only
the host names, the key directory and the passphrase replaced: what the
tests prove is what the example gives. The instance runs under /invqr like
the example.

A second virtual host on 127.0.0.2 (another loopback address, so the
browser keeps its cookies apart) runs the same block with a 10-second
inactivity timeout, for the expired-session tests.

Used by tests/integration/test_071_oidc.py and tests/browser/test_oidc.py.
"""
import base64
import hashlib
import json
import os
import re
import select
import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from harness import (ALWAYS_ALLOWED, ROOT, free_port, log_offsets, start_instance, stop_instance,
                     unexpected_log_lines)

OIDC_DIR = ROOT / "tests" / "oidc"
EXAMPLE = ROOT / "conf" / "invqr-vhost.conf.example"
MODDIR = subprocess.run(["apxs", "-q", "LIBEXECDIR"], capture_output=True,
                        text=True).stdout.strip()
FISCAL_CLAIM = "https://attributes.eid.gov.it/fiscal_number"
BASE = "/invqr"
SHORT_IDLE = 10          # seconds: the second virtual host's inactivity timeout

# What mod_auth_openidc says at warn level when the tests do what they mean
# to (an expired session, a forged session cookie).
OIDC_ALLOWED = [
    # the provider is on http here (docs/identity.md: production is https)
    r'auth_openidc:warn.*SHOULD be "https" for security reasons',
    r"auth_openidc:warn.*session inactivity timeout",
    r"auth_openidc:warn.*oidc_scrub_request_headers: scrubbed suspicious request header",
    r"auth_openidc:warn.*maximum session duration exceeded",
    r"auth_openidc:error.*oidc_session_load",
    r"auth_openidc:error.*oidc_util_jwt_verify|cjose_jws_verify|oidc_session_decode",
    r"auth_openidc:warn.*oidc_(session_load_cache|cache_get).*",
]


def example_block(module="mod_auth_openidc"):
    """The lines of conf/invqr-vhost.conf.example between "# BEGIN module"
    and "# END module"; the commented-out ones (mod_auth_mellon's) without
    their "#   "."""
    text = EXAMPLE.read_text(encoding="utf-8")
    m = re.search(r"^ *# BEGIN %s.*?\n(.*?)^ *# END %s" % (module, module), text, re.S | re.M)
    assert m, f"{EXAMPLE} has no BEGIN/END {module} block"
    lines = []
    for line in m.group(1).splitlines():
        if re.match(r"^ *#   ", line):
            lines.append(re.sub(r"^( *)#   ", r"\1", line))
        elif not re.match(r"^ *#", line):
            lines.append(line)
    return "\n".join(lines) + "\n"


def mellon_block(site, keydir):
    """The example's mod_auth_mellon block for this test: over http, so
    mellon's cookie is not Secure. (Browsers drop a SameSite=None cookie that
    is not Secure, and mellon 0.18 marks its cookie test SameSite=None
    whatever the directive says: the virtual host sets
    MELLON_DISABLE_SAMESITE, and the IdP is on the same site.)"""
    block = example_block("mod_auth_mellon")
    for old, new in [("https://servizi.example.gov.it", site),
                     ("/etc/apache2/invqr-mellon", str(keydir)),
                     ("MellonSecureCookie On", "MellonSecureCookie Off")]:
        assert old in block, old
        block = block.replace(old, new)
    return block


def rp_block(site, op, keydir, passphrase, idle=None):
    """The example's block for this test: site is invqr's origin, op the
    provider's; idle, when given, replaces the inactivity timeout."""
    block = example_block()
    for old, new in [("https://servizi.example.gov.it", site), ("https://idp.example.gov.it", op),
                     ("/etc/apache2/invqr-oidc", str(keydir)),
                     ("change-me-to-32-random-bytes", passphrase)]:
        assert old in block, old
        block = block.replace(old, new)
    if idle is not None:
        block, n = re.subn(r"OIDCSessionInactivityTimeout \d+",
                           f"OIDCSessionInactivityTimeout {idle}", block)
        assert n == 1
    return block


def make_rp_keys(keydir):
    """The relying party's key pair for private_key_jwt, new for each run."""
    keydir.mkdir(parents=True, exist_ok=True)
    subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                    "-out", str(keydir / "rp.key")], check=True, capture_output=True)
    subprocess.run(["openssl", "pkey", "-in", str(keydir / "rp.key"), "-pubout",
                    "-out", str(keydir / "rp.pem")], check=True, capture_output=True)
    # httpd reads them as root before it drops privileges; nobody else may
    os.chmod(keydir / "rp.key", 0o600)


class Provider:
    """The local OpenID provider, node tests/oidc/provider.mjs."""

    def __init__(self, workdir, port, clients):
        self.dir = workdir
        self.port = port
        self.url = f"http://localhost:{port}"
        self.clients = clients
        self.proc = None

    def start(self):
        node = shutil.which("node") or "/usr/bin/node"
        assert (OIDC_DIR / "node_modules" / "oidc-provider").is_dir(), \
            f"run `npm ci` in {OIDC_DIR} (script/test does)"
        conf = self.dir / "provider.json"
        conf.write_text(json.dumps({"port": self.port, "issuer": self.url,
                                    "clients": self.clients}))
        self.log = open(self.dir / "provider.log", "w+")
        self.proc = subprocess.Popen([node, str(OIDC_DIR / "provider.mjs"), str(conf)],
                                     cwd=OIDC_DIR, stdout=subprocess.PIPE, stderr=self.log,
                                     text=True, start_new_session=True)
        ready, _, _ = select.select([self.proc.stdout], [], [], 60)
        line = self.proc.stdout.readline() if ready else ""
        if not line.startswith("listening"):
            self.stop()
            raise RuntimeError("the OpenID provider did not start: " +
                               (self.dir / "provider.log").read_text()[-2000:])

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if self.proc:
            self.proc.stdout.close()
            self.log.close()


SSP_WWW = Path("/usr/share/simplesamlphp/www")
SAML_PASSWORD = "prova-saml"


class SamlIdp:
    """A local SAML 2.0 identity provider: Debian's SimpleSAMLphp 1.19 under
    PHP's built-in web server, users from exampleauth:UserPass (user name:
    the fiscal code in lower case, password SAML_PASSWORD) with SPID's
    attributes fiscalNumber ("TINIT-<CF>"), name and familyName."""

    def __init__(self, workdir, host, port, sp_entity, sp_base, sp_cert, people):
        self.dir = workdir / "saml-idp"
        self.host, self.port = host, port
        self.url = f"http://{host}:{port}"
        self.metadata_url = self.url + "/saml2/idp/metadata.php"
        self.sp_entity, self.sp_base, self.sp_cert, self.people = sp_entity, sp_base, sp_cert, people
        self.proc = None

    def _write_config(self):
        d = self.dir
        for sub in ("cert", "metadata", "tmp", "log", "data", "sessions"):
            (d / sub).mkdir(parents=True, exist_ok=True)
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256",
                        "-days", "2", "-subj", "/CN=invqr test SAML IdP",
                        "-keyout", str(d / "cert" / "idp.key"), "-out",
                        str(d / "cert" / "idp.crt")], check=True, capture_output=True)

        def php(v):
            return "'" + str(v).replace("\\", "\\\\").replace("'", "\\'") + "'"
        (d / "config.php").write_text(f"""<?php
$config = [
    'baseurlpath' => {php(self.url + '/')},
    'certdir' => {php(d / 'cert')} . '/',
    'loggingdir' => {php(d / 'log')} . '/',
    'datadir' => {php(d / 'data')} . '/',
    'tempdir' => {php(d / 'tmp')},
    'metadatadir' => {php(d / 'metadata')} . '/',
    'secretsalt' => {php(os.urandom(16).hex())},
    'auth.adminpassword' => {php(os.urandom(16).hex())},
    'technicalcontact_email' => 'na@example.org',
    'timezone' => 'UTC',
    'language.default' => 'it',
    'enable.saml20-idp' => true,
    'module.enable' => ['exampleauth' => true, 'core' => true, 'saml' => true],
    'store.type' => 'phpsession',
    'session.phpsession.savepath' => {php(d / 'sessions')},
    'session.cookie.secure' => false,
    'logging.handler' => 'file',
    'logging.logfile' => 'simplesamlphp.log',
    'logging.level' => SimpleSAML\\Logger::WARNING,
];
""")
        users = "".join(
            f"        {php(p['fiscal_code'].lower() + ':' + SAML_PASSWORD)} => ["
            f"'fiscalNumber' => [{php('TINIT-' + p['fiscal_code'])}], "
            f"'name' => [{php(p['given_name'])}], 'familyName' => [{php(p['surname'])}]],\n"
            for p in self.people)
        (d / "authsources.php").write_text(f"""<?php
$config = [
    'citizens' => ['exampleauth:UserPass',
{users}    ],
];
""")
        (d / "metadata" / "saml20-idp-hosted.php").write_text("""<?php
$metadata['__DYNAMIC:1__'] = [
    'host' => '__DEFAULT__',
    'privatekey' => 'idp.key',
    'certificate' => 'idp.crt',
    'auth' => 'citizens',
    'attributes.NameFormat' => 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic',
];
""")
        cert = "".join(l for l in Path(self.sp_cert).read_text().splitlines()
                       if not l.startswith("-----"))
        (d / "metadata" / "saml20-sp-remote.php").write_text(f"""<?php
$metadata[{php(self.sp_entity)}] = [
    'AssertionConsumerService' => [[
        'Binding' => 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
        'Location' => {php(self.sp_base + '/postResponse')},
    ]],
    'SingleLogoutService' => [[
        'Binding' => 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
        'Location' => {php(self.sp_base + '/logout')},
    ]],
    'certData' => {php(cert)},
    'NameIDFormat' => 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
    'validate.logout' => true,
    // mod_auth_mellon verifies the signature of the logout response
    'sign.logout' => true,
];
""")

    def start(self):
        """Start it; returns its metadata (XML) for mod_auth_mellon."""
        self._write_config()
        env = dict(os.environ, SIMPLESAMLPHP_CONFIG_DIR=str(self.dir))
        self.log = open(self.dir / "php.log", "w")
        self.proc = subprocess.Popen(["php", "-S", f"{self.host}:{self.port}", "-t", str(SSP_WWW)],
                                     env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                r = urllib.request.urlopen(self.metadata_url, timeout=5)
                xml = r.read()
                if b"IDPSSODescriptor" in xml:
                    return xml
            except OSError:
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("the SAML IdP did not start: " + (self.dir / "php.log").read_text()[-2000:])

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if self.proc:
            self.log.close()


class OidcSite:
    """An invqr instance behind mod_auth_openidc and its provider."""

    def __init__(self, inst, provider, short_origin):
        self.inst = inst
        self.provider = provider
        self.url = inst.url                             # http://127.0.0.1:PORT/invqr
        self.short_url = short_origin + BASE            # the 10-second vhost
        self.callback = self.url + "/citizen/oidc-callback"


def demo_people():
    import csv
    with open(ROOT / "schema" / "demo" / "citizens.csv", newline="", encoding="utf-8") as f:
        return [{"fiscal_code": r["fiscal_code"].strip().upper(), "given_name": r["given_name"],
                 "surname": r["surname"]} for r in csv.DictReader(f)]


def start_oidc_site(name):
    """Start the OpenID provider, the SAML IdP and an instance (demo sign-in
    off) with three virtual hosts: 127.0.0.1 behind mod_auth_openidc (the
    example's block), 127.0.0.2 the same with a 10 s inactivity timeout,
    127.0.0.3 behind mod_auth_mellon (the example's mellon block). Returns
    an OidcSite; stop_oidc_site() ends them all."""
    port, op_port, short_port, saml_port = (free_port() for _ in range(4))
    idp_port = free_port()
    while idp_port == saml_port:
        idp_port = free_port()
    work = ROOT / "run" / f"{name}-op-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    keys = work / "rp-keys"
    make_rp_keys(keys)
    site = f"http://127.0.0.1:{port}"
    short = f"http://127.0.0.2:{short_port}"
    saml = f"http://127.0.0.3:{saml_port}"
    op = f"http://localhost:{op_port}"
    passphrase = os.urandom(24).hex()
    vhost = rp_block(site, op, keys, passphrase)

    # mod_auth_mellon's key and certificate, and the IdP's metadata
    mkeys = work / "mellon"
    mkeys.mkdir()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256",
                    "-days", "2", "-subj", "/CN=invqr test SP", "-keyout", str(mkeys / "sp.key"),
                    "-out", str(mkeys / "sp.pem")], check=True, capture_output=True)
    os.chmod(mkeys / "sp.key", 0o600)
    # the IdP on the same host as the SAML virtual host (another port): the
    # same site for the browser, so that its HTTP-POST binding's cross-origin
    # POST carries mod_auth_mellon's cookie over http (docs/identity.md says
    # what a real IdP on another site needs: https and SameSite=None)
    idp = SamlIdp(work, "127.0.0.3", idp_port, f"{saml}{BASE}/citizen/mellon/metadata",
                  f"{saml}{BASE}/citizen/mellon", mkeys / "sp.pem", demo_people())

    # what Debian's a2enmod auth_openidc / auth_mellon load (authn_core,
    # authz_user: AuthType, Require); the same OIDC block in a second
    # virtual host with a short inactivity timeout; the mellon block in a third
    extra = f"""LoadModule authn_core_module {MODDIR}/mod_authn_core.so
LoadModule authz_user_module {MODDIR}/mod_authz_user.so
LoadModule auth_openidc_module {MODDIR}/mod_auth_openidc.so
LoadModule auth_mellon_module {MODDIR}/mod_auth_mellon.so
LoadModule setenvif_module {MODDIR}/mod_setenvif.so
Listen 127.0.0.2:{short_port}
<VirtualHost 127.0.0.2:{short_port}>
    ServerName 127.0.0.2
    InvQRBasePath {BASE}
    InvQRDemoLogin Off
{rp_block(short, op, keys, passphrase, idle=SHORT_IDLE)}
</VirtualHost>
Listen 127.0.0.3:{saml_port}
<VirtualHost 127.0.0.3:{saml_port}>
    ServerName 127.0.0.3
    InvQRBasePath {BASE}
    InvQRDemoLogin Off
    # over http only: mellon's cookies without SameSite (see mellon_block)
    SetEnvIf Request_URI "^" MELLON_DISABLE_SAMESITE=1
{mellon_block(saml, mkeys)}
</VirtualHost>
"""
    provider = Provider(work, op_port, [{
        "client_id": "invqr",
        "redirect_uris": [f"{o}{BASE}/citizen/oidc-callback" for o in (site, short)],
        "post_logout_redirect_uris": [f"{o}{BASE}/" for o in (site, short)],
        "public_key_file": str(keys / "rp.pem"),
        "kid": "invqr-rp-1",
    }])
    provider.start()
    try:
        (mkeys / "idp.xml").write_bytes(idp.start())
        inst = start_instance(name, {"INVQR_DEMO_LOGIN": "Off", "INVQR_BASE": BASE},
                              extra_conf=extra, vhost_conf=vhost, port=port)
    except Exception:
        provider.stop()
        idp.stop()
        raise
    oidc = OidcSite(inst, provider, short)
    oidc.idp = idp
    oidc.saml_url = saml + BASE
    oidc.work = work
    oidc.offsets = log_offsets(inst)
    return oidc


def stop_oidc_site(oidc, allowed=()):
    """Stop both; fails if httpd's or the worker's log gained a line that is
    neither harmless nor expected."""
    bad = unexpected_log_lines(oidc.inst, oidc.offsets,
                               [*ALWAYS_ALLOWED, *OIDC_ALLOWED, *allowed])
    stop_instance(oidc.inst)
    oidc.provider.stop()
    oidc.idp.stop()
    if os.environ.get("INVQR_KEEP_RUN") != "1":
        shutil.rmtree(oidc.work, ignore_errors=True)
    assert not bad, bad


# -- the code flow, as a browser without JavaScript does it --------------------

FORM_RE = re.compile(r'<form method="post" action="(/interaction/[A-Za-z0-9_-]+/login)"')


def provider_login_form(r, oidc):
    """The provider's sign-in page that r landed on: its form's URL."""
    assert r.status_code == 200, (r.status_code, r.url, r.text[:300])
    assert r.url.startswith(oidc.provider.url + "/interaction/"), r.url
    m = FORM_RE.search(r.text)
    assert m, r.text[:500]
    return oidc.provider.url + m.group(1)


def sign_in(s, oidc, fiscal_code, given="Anna", family="Verdi", start=None):
    """With session s: open /citizen (or start), sign in at the provider as
    the person typed; returns the response invqr gave at the end."""
    r = s.get(start or oidc.url + "/citizen")
    action = provider_login_form(r, oidc)
    return s.post(action, data={"fiscal_code": fiscal_code, "given_name": given,
                                "family_name": family})


def prompt_none(s, oidc):
    """Ask the provider, with s's cookies, for a code without any page
    (prompt=none): where it sends the browser says whether the provider
    still has a session ("code") or not ("login_required")."""
    verifier = base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()) \
        .rstrip(b"=").decode()
    q = urlencode({"client_id": "invqr", "response_type": "code", "scope": "openid",
                   "redirect_uri": oidc.callback, "prompt": "none", "state": "probe",
                   "code_challenge": challenge, "code_challenge_method": "S256"})
    r = s.get(oidc.provider.url + "/auth?" + q, allow_redirects=False)
    assert r.status_code in (302, 303), (r.status_code, r.text[:300])
    loc = r.headers["Location"]
    assert loc.startswith(oidc.callback), loc
    got = parse_qs(urlsplit(loc).query)
    return "code" if "code" in got else got.get("error", ["?"])[0]


def demo_citizen(definitive="Y"):
    import csv
    with open(ROOT / "schema" / "demo" / "citizens.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["definitive"].strip().upper() == definitive:
                return row
    raise LookupError(definitive)


def wait_idle(seconds):
    """Stay idle past the short virtual host's inactivity timeout (seconds
    more; nothing if that is not positive)."""
    if seconds > 0:
        time.sleep(seconds)


# -- SAML: the same, through mod_auth_mellon and the SimpleSAMLphp IdP ----------

HIDDEN_RE = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def _form(html, base_url):
    """The first form of a page: its absolute action and hidden fields."""
    import html as htmllib
    m = re.search(r'<form[^>]*action="([^"]*)"', html)
    assert m, html[:500]
    action = htmllib.unescape(m.group(1))
    if action.startswith("?") or action == "":
        action = base_url.split("?")[0] + action
    elif action.startswith("/"):
        p = urlsplit(base_url)
        action = f"{p.scheme}://{p.netloc}{action}"
    return action, {k: htmllib.unescape(v) for k, v in HIDDEN_RE.findall(html)}


def saml_login_page(r, oidc):
    """The IdP's sign-in page that r landed on: its form's URL and fields."""
    assert r.status_code == 200, (r.status_code, r.url, r.text[:300])
    assert r.url.startswith(oidc.idp.url + "/module.php/core/loginuserpass.php"), r.url
    return _form(r.text, r.url)


def saml_sign_in(s, oidc, fiscal_code, start=None):
    """With session s: open the SAML site's /citizen (or start), sign in at
    the IdP, send the assertion on as the browser's POST would; returns
    invqr's last response."""
    r = s.get(start or oidc.saml_url + "/citizen")
    action, fields = saml_login_page(r, oidc)
    r = s.post(action, data={**fields, "username": fiscal_code.lower(),
                             "password": SAML_PASSWORD})
    # the HTTP-POST binding: a page whose form the browser's script submits
    action, fields = _form(r.text, r.url)
    assert "SAMLResponse" in fields, r.text[:500]
    return s.post(action, data=fields)
