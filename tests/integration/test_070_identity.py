# SPDX-License-Identifier: Apache-2.0
"""Citizens signed in by the upstream auth module (InvQRCitizenVariable),
with the demo sign-in switched off (docs/contract.md, Citizen identity). The upstream
module is played by mod_setenvif copying a test header into the variable
mod_auth_openidc would set."""
import subprocess
from pathlib import Path

import pytest
import requests

from harness import module_instance

MODDIR = subprocess.run(["apxs", "-q", "LIBEXECDIR"], capture_output=True, text=True).stdout.strip()
CONF = """
LoadModule setenvif_module %s/mod_setenvif.so
SetEnvIf X-Test-Fiscal-Number "^(.+)$" OIDC_CLAIM_fiscalNumber=$1
InvQRCitizenVariable OIDC_CLAIM_fiscalNumber
""" % MODDIR


@pytest.fixture(scope="module")
def idp():
    yield from module_instance("idp", {"INVQR_DEMO_LOGIN": "Off"}, extra_conf=CONF,
                               allowed=[r"INVQR0134"])


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
