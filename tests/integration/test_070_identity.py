# SPDX-License-Identifier: Apache-2.0
"""Citizens signed in by the upstream auth module (InvQRCitizenVariable),
with the demo sign-in switched off (docs/contract.md, Citizen identity). The upstream
module is played by mod_setenvif copying a test header into the variable
mod_auth_openidc would set."""
import os
import subprocess
from pathlib import Path

import pytest
import requests

from harness import BUILD, module_instance

MODDIR = subprocess.run(["apxs", "-q", "LIBEXECDIR"], capture_output=True, text=True).stdout.strip()
CONF = """
LoadModule setenvif_module %s/mod_setenvif.so
SetEnvIf X-Test-Fiscal-Number "^(.+)$" OIDC_CLAIM_fiscalNumber=$1
InvQRCitizenVariable OIDC_CLAIM_fiscalNumber
""" % MODDIR


@pytest.fixture(scope="module")
def idp():
    yield from module_instance("idp", {"INVQR_DEMO_LOGIN": "Off"}, extra_conf=CONF,
                               allowed=[r"INVQR0134", r"INVQR0165"])


def test_upstream_identity_signs_the_citizen_in(idp):
    r = requests.get(idp.url + "/citizen", headers={"X-Test-Fiscal-Number": "RSSMRA75C14H501L"})
    assert r.status_code == 200
    assert 'data-field="fiscal_code">RSSMRA75C14H501L<' in r.text
    assert 'data-eligibility="eligible"' in r.text
    # no demo sign-out: the session is the identity provider's
    assert 'action="/citizen/logout"' not in r.text


def test_spid_prefix_and_case_are_accepted(idp):
    r = requests.get(idp.url + "/citizen", headers={"X-Test-Fiscal-Number": "TINIT-rssmra75c14h501l"})
    assert 'data-field="fiscal_code">RSSMRA75C14H501L<' in r.text


def test_invalid_identity_signs_nobody_in(idp):
    r = requests.get(idp.url + "/citizen", headers={"X-Test-Fiscal-Number": "TINIT-NOTAFISCALCODE"})
    assert r.status_code == 401 and 'data-field="fiscal_code"' not in r.text
    assert "INVQR0134" in (idp.run / "log" / "error.log").read_text()


def test_without_identity_the_citizen_is_sent_to_sign_in(idp):
    r = requests.get(idp.url + "/citizen")
    assert r.status_code == 401 and 'data-status="401"' in r.text


def test_demo_sign_in_does_not_exist_when_off(idp):
    s = requests.Session()
    page = s.get(idp.url + "/")
    token = page.text.split('name="csrf" value="')[1].split('"')[0] if 'name="csrf"' in page.text \
        else "x"
    r = s.post(idp.url + "/citizen/demo-login", data={"csrf": token,
                                                       "fiscal_code": "RSSMRA75C14H501L"})
    assert r.status_code in (403, 404)
    log = (idp.run / "log" / "error.log").read_text()
    assert "INVQR0102" not in log     # no demo warning: it is off
    assert "demo sign-in is on" not in Path(idp.log.name).read_text()


def test_without_a_sign_out_url_the_server_warns(idp):
    # this instance names no InvQRCitizenSignOut: its citizens get no "Esci"
    log = (idp.run / "log" / "error.log").read_text()
    assert "INVQR0165" in log
    r = requests.get(idp.url + "/citizen", headers={"X-Test-Fiscal-Number": "RSSMRA75C14H501L"})
    assert 'data-action="sign-out"' not in r.text


@pytest.mark.parametrize("line, refused", [
    ("InvQRCitizenVariable HTTP_X_REMOTE_USER", True),
    ("InvQRCitizenVariable http_remote_user", True),
    ("InvQRCitizenVariable OIDC_CLAIM_https---attributes.eid.gov.it-fiscal_number", False),
    ("InvQRCitizenVariable MELLON_fiscalNumber", False),
    ("InvQRCitizenSignOut javascript:alert(1)", True),
    ("InvQRCitizenSignOut //evil.example/", True),
    ('InvQRCitizenSignOut "/a b"', True),
    ("InvQRCitizenSignOut /invqr/citizen/oidc-callback?logout=https://s.example/invqr/", False),
    ("InvQRCitizenSignOut https://sso.example.gov.it/logout", False),
])
def test_identity_directives_refuse_what_a_client_could_set_or_a_page_could_run(tmp_path, line,
                                                                               refused):
    conf = tmp_path / "httpd.conf"
    conf.write_text("ServerRoot %s\nLoadModule mpm_event_module %s/mod_mpm_event.so\n"
                    "LoadModule authz_core_module %s/mod_authz_core.so\n"
                    "LoadModule invqr_module %s\nListen 127.0.0.1:1\nErrorLog %s\n%s\n"
                    % (tmp_path, MODDIR, MODDIR, BUILD / "mod_invqr" / ".libs" / "mod_invqr.so",
                       tmp_path / "error.log", line))
    # the sanitizer build's module needs the runtime preloaded, as script/lib.sh does
    prefix = os.environ.get("INVQR_HTTPD_PREFIX", "").split()
    r = subprocess.run([*prefix, "/usr/sbin/apache2", "-t", "-f", str(conf)], capture_output=True,
                       text=True, timeout=60)
    assert (r.returncode != 0) == refused, r.stderr
    if refused:
        assert line.split()[0] in r.stderr
